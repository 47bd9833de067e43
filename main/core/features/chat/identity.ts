import {
  advances,
  type DeliveryState,
  type DuplicateProbe,
  type MessageChanges,
  type MessageRecord,
} from "./message-record";

/**
 * The one rule, in main, for what counts as the same message — in memory here, and in SQL in
 * main/store, which follows these same conditions. Tried in this order:
 * 1. `archiveId`: the archive's stanza-id (XEP-0359), when the caller trusts it (our own archive
 *    said it, and the server offers urn:xmpp:sid:0);
 * 2. `originId`: the sender's origin-id, with the same sender and text;
 * 3. `stanzaId`: the stanza's id, with the same sender, direction and text — a sender may send a
 *    message again with the same id (Wren does after a failed stream resumption). The id alone is
 *    not enough: ids are the sender's choice, and a peer reusing them must not make messages vanish;
 * 4. `time`: the same sender and text within a short window — unless both carry an id of the same
 *    kind and the ids differ, which makes them two messages.
 */
export const DUPLICATE_RULES = ["archiveId", "originId", "stanzaId", "time"] as const;
export type DuplicateRule = (typeof DUPLICATE_RULES)[number];

/** Whether the rule can say anything about the probe at all. */
export function ruleApplies(rule: DuplicateRule, probe: DuplicateProbe): boolean {
  switch (rule) {
    case "archiveId":
      return probe.archiveId != null;
    case "originId":
      return probe.originId != null;
    case "stanzaId":
      return probe.stanzaId != null;
    case "time":
      return probe.windowMs >= 0;
  }
}

/** Whether `record` is the message `probe` describes, by `rule`. */
export function matchesRule(
  rule: DuplicateRule,
  probe: DuplicateProbe,
  record: MessageRecord,
): boolean {
  if (record.accountId !== probe.accountId) return false;
  if (rule === "archiveId") return record.archiveId === probe.archiveId;
  const sameText =
    record.conversation === probe.conversation &&
    record.sender === probe.sender &&
    record.body === probe.body;
  if (!sameText) return false;
  switch (rule) {
    case "originId":
      return record.originId === probe.originId;
    case "stanzaId":
      return record.stanzaId === probe.stanzaId && record.direction === probe.direction;
    case "time":
      return (
        Math.abs(record.timestamp - probe.timestamp) <= probe.windowMs &&
        compatible(probe.archiveId, record.archiveId) &&
        compatible(probe.originId, record.originId) &&
        compatible(probe.stanzaId, record.stanzaId)
      );
  }
}

/**
 * The first of `candidates` (newest last, from index `from` on) that `probe` describes, by the
 * first rule that finds one.
 */
export function findDuplicate(
  candidates: readonly MessageRecord[],
  probe: DuplicateProbe,
  from = 0,
): MessageRecord | null {
  for (const rule of DUPLICATE_RULES) {
    if (!ruleApplies(rule, probe)) continue;
    for (let i = candidates.length - 1; i >= from; i--) {
      const candidate = candidates[i]!;
      if (matchesRule(rule, probe, candidate)) return candidate;
    }
  }
  return null;
}

// Two ids of the same kind, both present and different: two messages.
function compatible(a: string | null | undefined, b: string | null): boolean {
  return a == null || b === null || a === b;
}

// What `update` may change on a stored message, in memory and in the database alike.
const CHANGEABLE = [
  "archiveId",
  "archiveBy",
  "serverAt",
  "state",
  "body",
  "editedAt",
] as const satisfies readonly (keyof MessageChanges)[];

/**
 * `record` with `changes` made, or `record` itself when they change nothing. Fields left
 * undefined keep their value; the state only moves forward (see advances), so an incoming
 * message's never changes and a late acknowledgement cannot undo a receipt.
 */
export function applyChanges(record: MessageRecord, changes: MessageChanges): MessageRecord {
  let next: MessageRecord | null = null;
  for (const field of CHANGEABLE) {
    const value = changes[field];
    if (value === undefined || value === record[field]) continue;
    if (field === "state" && !advances(record.state, value as DeliveryState)) continue;
    next ??= { ...record };
    (next as unknown as Record<string, unknown>)[field] = value;
  }
  return next ?? record;
}
