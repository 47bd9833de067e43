import type { Element } from "@xmpp/client";

/** How features talk to the server. The session provides it while online; tests provide a fake. */
export interface Outbox {
  send(stanza: Element): Promise<void>;
  /** Sends an <iq/> and resolves with the result stanza; rejects on an error reply or timeout. */
  request(iq: Element): Promise<Element>;
  /**
   * Whether the server acknowledges our stanzas on this connection (XEP-0198 enabled): then
   * features hear of each acknowledgement (Feature.acknowledged). Absent means no.
   */
  readonly acknowledges?: boolean;
}
