import type { ContactPresence, WrenEvent } from "../../preload/contract";

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
 */
export function createEventBatcher({ deliver, windowMs = 16 }: EventBatcherOptions): EventBatcher {
  let queue: WrenEvent[] = [];
  let presenceIndex = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    presenceIndex = new Map();
    deliver(batch);
  };

  return {
    push(event) {
      const last = queue.at(-1);
      if (!(last && mergeInto(last, event, presenceIndex))) {
        if (event.type === "presence") presenceIndex = indexPresence(event.contacts);
        queue.push(copyForMerging(event));
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
  if (last.type === "messages" && event.type === "messages") {
    last.messages.push(...event.messages);
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
  return false;
}

function accountOf(event: WrenEvent): string {
  return event.type === "account" ? event.account.id : event.accountId;
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
    case "roster":
      return { ...event, upserted: [...event.upserted], removed: [...event.removed] };
    case "account":
      return { ...event };
    default:
      return event;
  }
}
