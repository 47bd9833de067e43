import type { Element } from "@xmpp/client";

/** How features talk to the server. The session provides it while online; tests provide a fake. */
export interface Outbox {
  send(stanza: Element): Promise<void>;
  /** Sends an <iq/> and resolves with the result stanza; rejects on an error reply or timeout. */
  request(iq: Element): Promise<Element>;
}
