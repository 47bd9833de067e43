import {
  DUPLICATE_RULES,
  matchesRule,
  type DuplicateRule,
} from "../../core/features/chat/identity";
import type { DuplicateProbe, StoredMessage } from "../message-store";

// The deduplication rules are the chat feature's (core/features/chat/identity.ts), tried in their
// order. messages-repository.ts asks the database each of them in SQL; `matches` is the same rule
// for messages not yet written (a batch being assembled, kept in an UnwrittenMessages), so that a
// burst of archive messages is still one INSERT.

export {
  DUPLICATE_RULES,
  matchesRule as matches,
  ruleApplies,
  type DuplicateRule,
} from "../../core/features/chat/identity";

/**
 * Messages of a batch not yet inserted, found by each rule's key instead of a scan. The keys are
 * made only once a duplicate is looked for: a batch of plain adds never needs them.
 */
export class UnwrittenMessages {
  readonly messages: StoredMessage[] = [];
  #byKey: Map<string, StoredMessage[]> | null = null;

  add(message: StoredMessage): void {
    this.messages.push(message);
    if (this.#byKey) index(this.#byKey, message);
  }

  /** Those matching by `rule`, in the order they were added. */
  find(rule: DuplicateRule, probe: DuplicateProbe): StoredMessage[] {
    if (!this.#byKey) {
      this.#byKey = new Map();
      for (const message of this.messages) index(this.#byKey, message);
    }
    const key = keyOf(rule, probe);
    const candidates = (key !== null && this.#byKey.get(key)) || [];
    return candidates.filter((candidate) => matchesRule(rule, probe, candidate));
  }
}

function index(byKey: Map<string, StoredMessage[]>, message: StoredMessage): void {
  for (const rule of DUPLICATE_RULES) {
    const key = keyOf(rule, message);
    if (key === null) continue;
    const list = byKey.get(key);
    if (list) list.push(message);
    else byKey.set(key, [message]);
  }
}

function keyOf(rule: DuplicateRule, m: DuplicateProbe | StoredMessage): string | null {
  switch (rule) {
    case "archiveId":
      return m.archiveId == null ? null : `a\n${m.accountId}\n${m.archiveId}`;
    case "originId":
      return m.originId == null ? null : `o\n${m.accountId}\n${m.conversation}\n${m.originId}`;
    case "stanzaId":
      return m.stanzaId == null ? null : `s\n${m.accountId}\n${m.conversation}\n${m.stanzaId}`;
    case "time":
      return `t\n${m.accountId}\n${m.conversation}\n${m.sender}\n${m.body}`;
  }
}

/** A probe as the SQL statements of the rules bind it (messages-repository.ts). */
export interface DuplicateParams {
  accountId: string;
  conversation: string;
  direction: string;
  sender: string;
  body: string;
  archiveId: string | null;
  originId: string | null;
  stanzaId: string | null;
  timestamp: number;
  windowMs: number;
}

export function duplicateParams(probe: DuplicateProbe): DuplicateParams {
  return {
    accountId: probe.accountId,
    conversation: probe.conversation,
    direction: probe.direction,
    sender: probe.sender,
    body: probe.body,
    archiveId: probe.archiveId ?? null,
    originId: probe.originId ?? null,
    stanzaId: probe.stanzaId ?? null,
    timestamp: probe.timestamp,
    windowMs: probe.windowMs,
  };
}

/** The message nearest `timestamp`; the first stored of equals. */
export function nearest(
  messages: readonly StoredMessage[],
  timestamp: number,
): StoredMessage | null {
  let best: StoredMessage | null = null;
  for (const message of messages) {
    if (!best || Math.abs(message.timestamp - timestamp) < Math.abs(best.timestamp - timestamp)) {
      best = message;
    }
  }
  return best;
}
