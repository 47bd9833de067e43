import type { DuplicateProbe, MessageRecord } from "./message-record";

type Rule = (record: MessageRecord, probe: DuplicateProbe) => boolean;

const sameText = (record: MessageRecord, probe: DuplicateProbe) =>
  record.conversation === probe.conversation &&
  record.sender === probe.sender &&
  record.body === probe.body;

/**
 * The one rule, in main, for what counts as the same message, tried in this order:
 * 1. the archive's stanza-id (XEP-0359), when the caller trusts it (our own archive said it);
 * 2. the sender's origin-id, with the same sender and text;
 * 3. the stanza's id, with the same sender, direction and text: a sender may send a message again
 *    with the same id (Wren does after a failed stream resumption). The id alone is not enough —
 *    ids are the sender's choice, and a peer reusing them must not make messages vanish;
 * 4. with no id at all: the same sender and text within a short window.
 */
export const DUPLICATE_RULES: readonly Rule[] = [
  (record, probe) => Boolean(probe.archiveId) && record.archiveId === probe.archiveId,
  (record, probe) =>
    Boolean(probe.originId) && record.originId === probe.originId && sameText(record, probe),
  (record, probe) =>
    Boolean(probe.stanzaId) &&
    record.stanzaId === probe.stanzaId &&
    record.direction === probe.direction &&
    sameText(record, probe),
  (record, probe) =>
    !probe.originId &&
    !probe.stanzaId &&
    sameText(record, probe) &&
    Math.abs(record.timestamp - probe.timestamp) <= probe.windowMs,
];

/** The first of `candidates` that `probe` describes, by the first rule that finds one. */
export function findDuplicate(
  candidates: readonly MessageRecord[],
  probe: DuplicateProbe,
): MessageRecord | null {
  for (const rule of DUPLICATE_RULES) {
    for (let i = candidates.length - 1; i >= 0; i--) {
      const candidate = candidates[i]!;
      if (rule(candidate, probe)) return candidate;
    }
  }
  return null;
}
