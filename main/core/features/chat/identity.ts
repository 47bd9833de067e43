/** What is compared to tell whether two messages are the same one. */
export interface MessageIdentity {
  /** Bare JID of the other party. */
  peer: string;
  direction: "in" | "out";
  /** The id the sender put on the stanza; empty when it gave none. */
  stanzaId: string;
  body: string;
}

/**
 * The one rule, in main, for what counts as the same message: a sender may send one again with
 * the same id (Wren does after a failed stream resumption), so the same id with the same text from
 * the same peer is a repeat. The id alone is not enough: ids are the sender's choice, and a peer
 * that reuses them must not make different messages vanish. Without an id nothing is a repeat.
 */
export function isSameMessage(a: MessageIdentity, b: MessageIdentity): boolean {
  return (
    a.stanzaId !== "" &&
    a.stanzaId === b.stanzaId &&
    a.peer === b.peer &&
    a.direction === b.direction &&
    a.body === b.body
  );
}
