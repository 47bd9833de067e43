import type { Client } from "@xmpp/client";
import type { Outbox } from "./outbox";

/** How long a feature's request waits for its answer. */
const REQUEST_TIMEOUT_MS = 15_000;

const outboxes = new WeakMap<Client, Outbox>();

/**
 * The outbox of one connection: the same object for as long as the connection lives, so that
 * features can tell connections apart by it (the chat feature's resend does).
 */
export function entityOutbox(entity: Client): Outbox {
  let outbox = outboxes.get(entity);
  if (!outbox) {
    outbox = {
      send: (stanza) => entity.send(stanza),
      request: (iq) => entity.iqCaller.request(iq, REQUEST_TIMEOUT_MS),
      get acknowledges() {
        return entity.streamManagement.enabled;
      },
    };
    outboxes.set(entity, outbox);
  }
  return outbox;
}
