import type { ContactPresence, MessageChange, WrenEvent } from "../../preload/contract";

export interface EventBatcher {
  push(event: WrenEvent): void;
  /** Delivers everything queued now; used before shutdown and by tests. */
  flush(): void;
  dispose(): void;
}

export interface EventBatcherOptions {
  deliver: (events: WrenEvent[]) => void;
  /** How long events may wait to be grouped; a frame at 60 Hz. */
  windowMs?: number;
}

/**
 * Groups the events of a short window into one delivery and merges runs of the same kind for the
 * same account, so a presence flood after login is one message carrying each contact once, not
 * thousands of messages. Order is kept: a roster reset still arrives before the presence that
 * follows it, and one account's events never merge into another's.
 *
 * Messages and their changes (ticks, corrections) alternate when a conversation is busy, so
 * they merge past each other where that cannot change what the page ends up showing: an
 * account's new messages join its earlier "messages" event across its "message-changes" (a
 * change only names a message told before it) and across other accounts' events; its changes
 * join its earlier "message-changes" across other accounts' events only, never moving before a
 * message they may name. A window of chatting is then one event of each per account.
 */
export function createEventBatcher({ deliver, windowMs = 16 }: EventBatcherOptions): EventBatcher {
  let queue: WrenEvent[] = [];
  let presenceIndex = new Map<string, number>();
  /** Where each queued "message-changes" event has each message's change. */
  let changeIndex = new Map<WrenEvent, Map<string, number>>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    presenceIndex = new Map();
    changeIndex = new Map();
    deliver(batch);
  };

  /** Merges messages or message changes into an earlier event of their account (see above). */
  const mergeMessages = (event: WrenEvent): boolean => {
    if (event.type !== "messages" && event.type !== "message-changes") return false;
    for (let i = queue.length - 1; i >= 0; i--) {
      const queued = queue[i] as WrenEvent;
      if (accountOf(queued) !== event.accountId) continue;
      if (queued.type === event.type) {
        if (queued.type === "messages" && event.type === "messages") {
          queued.messages.push(...event.messages);
        } else if (queued.type === "message-changes" && event.type === "message-changes") {
          const index = changeIndex.get(queued) ?? new Map<string, number>();
          changeIndex.set(queued, index);
          addChanges(queued.changes, index, event.changes);
        }
        return true;
      }
      // New messages may pass the account's changes; changes pass nothing of their account.
      if (!(event.type === "messages" && queued.type === "message-changes")) return false;
    }
    return false;
  };

  return {
    push(event) {
      if (!mergeMessages(event)) {
        const last = queue.at(-1);
        if (!(last && mergeInto(last, event, presenceIndex))) {
          if (event.type === "presence") presenceIndex = indexPresence(event.contacts);
          const copy = copyForMerging(event);
          if (copy.type === "message-changes") {
            const index = new Map<string, number>();
            copy.changes = addChanges([], index, copy.changes);
            changeIndex.set(copy, index);
          }
          queue.push(copy);
        }
      }
      timer ??= setTimeout(flush, windowMs);
    },
    flush,
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      queue = [];
    },
  };
}

function mergeInto(last: WrenEvent, event: WrenEvent, presenceIndex: Map<string, number>): boolean {
  if (last.type !== event.type || accountOf(last) !== accountOf(event)) return false;
  if (last.type === "account" && event.type === "account") {
    // The newer summary of the same account replaces the older one.
    last.account = event.account;
    return true;
  }
  if (last.type === "presence" && event.type === "presence") {
    for (const contact of event.contacts) upsertPresence(last.contacts, presenceIndex, contact);
    return true;
  }
  if (last.type === "roster" && event.type === "roster" && !event.reset) {
    const removed = new Set(event.removed);
    last.upserted = last.upserted.filter((item) => !removed.has(item.jid));
    const upserted = new Set(event.upserted.map((item) => item.jid));
    last.upserted = last.upserted.filter((item) => !upserted.has(item.jid)).concat(event.upserted);
    last.removed = last.removed.filter((jid) => !upserted.has(jid)).concat(event.removed);
    return true;
  }
  if (last.type === "transfers" && event.type === "transfers") {
    // Only each transfer's latest state matters; one that is gone stays gone.
    const changed = new Map(last.changed.map((transfer) => [transfer.id, transfer]));
    for (const transfer of event.changed) changed.set(transfer.id, transfer);
    for (const id of event.removed) changed.delete(id);
    last.changed = [...changed.values()];
    last.removed = [...new Set([...last.removed, ...event.removed])];
    return true;
  }
  return false;
}

/** Adds `changes` to `list`, one entry per message: a later change of a message updates its entry. */
function addChanges(
  list: MessageChange[],
  index: Map<string, number>,
  changes: readonly MessageChange[],
): MessageChange[] {
  for (const change of changes) {
    const at = index.get(change.id);
    if (at === undefined) {
      index.set(change.id, list.length);
      list.push({ ...change });
    } else {
      list[at] = { ...list[at], ...change };
    }
  }
  return list;
}

/** Transfers name their account in each entry: their events belong to no single account. */
function accountOf(event: WrenEvent): string {
  if (event.type === "account") return event.account.id;
  return event.type === "transfers" ? "" : event.accountId;
}

function upsertPresence(
  list: ContactPresence[],
  index: Map<string, number>,
  contact: ContactPresence,
) {
  const at = index.get(contact.jid);
  if (at === undefined) {
    index.set(contact.jid, list.length);
    list.push(contact);
  } else {
    list[at] = contact;
  }
}

function indexPresence(contacts: ContactPresence[]): Map<string, number> {
  return new Map(contacts.map((contact, i) => [contact.jid, i]));
}

/** Queued events are merged in place, so never keep a reference to the caller's arrays. */
function copyForMerging(event: WrenEvent): WrenEvent {
  switch (event.type) {
    case "presence":
      return { ...event, contacts: [...event.contacts] };
    case "messages":
      return { ...event, messages: [...event.messages] };
    case "message-changes":
      return { ...event, changes: [...event.changes] };
    case "roster":
      return { ...event, upserted: [...event.upserted], removed: [...event.removed] };
    case "account":
      return { ...event };
    case "transfers":
      return { ...event, changed: [...event.changed], removed: [...event.removed] };
    default:
      return event;
  }
}
