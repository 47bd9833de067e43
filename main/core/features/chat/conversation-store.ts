import { applyChanges, findDuplicate } from "./identity";
import {
  MAX_UNREAD,
  type ConversationRecord,
  type DuplicateProbe,
  type MessageChanges,
  type MessageRecord,
  type MessageReference,
} from "./message-record";

type StoredMessage = MessageRecord;

/** How many recent messages of a conversation are checked for a repeat. */
const REPEAT_WINDOW = 200;

/** The most messages one page returns, as the database. */
const MAX_PAGE = 500;

export interface ConversationLimits {
  /** Conversations kept; anyone can start one, so the least recently active go first. */
  maxConversations: number;
  /** Messages kept per conversation; the oldest go first. */
  maxPerConversation: number;
  /** Characters of message text kept in all, across conversations. */
  maxCharacters: number;
}

export const DEFAULT_CONVERSATION_LIMITS: ConversationLimits = {
  maxConversations: 1_000,
  maxPerConversation: 5_000,
  maxCharacters: 16 * 1024 * 1024,
};

/** A message as kept, with the order it was stored in: the tie-breaker between equal times. */
interface Kept {
  message: StoredMessage;
  seq: number;
  conversation: Conversation;
}

/** A place in a conversation's order (timestamp, then storing order). */
interface Position {
  timestamp: number;
  seq: number;
}

interface Conversation {
  peer: string;
  /** In the order (timestamp, seq): the order the database pages in. */
  kept: Kept[];
  readMark: Position | null;
  /** Incoming messages kept after the read mark (exact; capped only when asked). */
  unread: number;
  archiveComplete: boolean;
}

/** Where `a` is in relation to `b`: negative before, positive after. */
function compare(a: Position, b: Position): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

function positionOf(kept: Kept): Position {
  return { timestamp: kept.message.timestamp, seq: kept.seq };
}

function isUnacknowledged(message: StoredMessage): boolean {
  return message.direction === "out" && (message.state === "queued" || message.state === "sent");
}

/**
 * One account's conversations in memory, within bounds on count and size so that a flood from
 * strangers costs a bounded amount, under the database's rules (main/store): a conversation is in
 * the order (timestamp, storing order), read marks only move forward, unread counts are incoming
 * messages after the mark. Messages are named by their Wren id, a stable cursor for paging.
 */
export class ConversationStore {
  /** Map order is recency: a conversation moves to the end when a message is added. */
  readonly #conversations = new Map<string, Conversation>();
  readonly #byId = new Map<string, Kept>();
  /** Outgoing messages not acknowledged yet (a few, whatever else is kept). */
  readonly #unacknowledged = new Set<Kept>();
  readonly #limits: ConversationLimits;
  #characters = 0;
  #seq = 0;

  constructor(limits: Partial<ConversationLimits> = {}) {
    this.#limits = { ...DEFAULT_CONVERSATION_LIMITS, ...limits };
  }

  add(message: StoredMessage): void {
    if (this.#byId.has(message.id)) throw new Error("a message with this id is already kept");
    const conversation = this.#touch(message.conversation);
    const kept: Kept = { message: { ...message }, seq: ++this.#seq, conversation };
    // After every message with the same or an earlier time: usually at the end.
    let index = conversation.kept.length;
    while (index > 0 && conversation.kept[index - 1]!.message.timestamp > message.timestamp) {
      index -= 1;
    }
    conversation.kept.splice(index, 0, kept);
    this.#byId.set(message.id, kept);
    if (isUnacknowledged(message)) this.#unacknowledged.add(kept);
    if (this.#countsUnread(conversation, kept)) conversation.unread += 1;
    this.#characters += message.body.length;
    if (conversation.kept.length > this.#limits.maxPerConversation)
      this.#dropOldest(conversation, 1);
    this.#enforceBounds(conversation);
  }

  /** The stored message `probe` describes, among the conversation's latest. */
  findDuplicate(probe: DuplicateProbe): StoredMessage | null {
    const kept = this.#conversations.get(probe.conversation)?.kept ?? [];
    const latest = kept.slice(Math.max(0, kept.length - REPEAT_WINDOW)).map((k) => k.message);
    return findDuplicate(latest, probe);
  }

  update(id: string, changes: MessageChanges): StoredMessage | null {
    const kept = this.#byId.get(id);
    if (!kept) return null;
    const next = applyChanges(kept.message, changes);
    this.#characters += next.body.length - kept.message.body.length;
    kept.message = next;
    if (!isUnacknowledged(next)) this.#unacknowledged.delete(kept);
    return next;
  }

  findByReference({ conversation, direction, ref }: MessageReference): StoredMessage | null {
    const kept = this.#conversations.get(conversation)?.kept ?? [];
    for (let i = kept.length - 1; i >= 0; i--) {
      const { message } = kept[i]!;
      if (
        message.direction === direction &&
        (message.originId === ref || message.stanzaId === ref)
      ) {
        return message;
      }
    }
    return null;
  }

  /**
   * Up to `limit` messages, oldest first: the latest, or those before, after or around the
   * message with that id. A cursor not kept here (never, or dropped by the bounds) gives nothing.
   */
  page(
    peer: string,
    cursor: { before?: string; after?: string; around?: string },
    limit: number,
  ): StoredMessage[] {
    const bounded = Math.min(MAX_PAGE, Math.max(0, Math.floor(limit)));
    const kept = this.#conversations.get(peer)?.kept ?? [];
    const id = cursor.before ?? cursor.after ?? cursor.around;
    if (bounded === 0) return [];
    let start: number;
    let end: number;
    if (id === undefined) {
      end = kept.length;
      start = end - bounded;
    } else {
      const at = this.#byId.get(id);
      const index = at && at.conversation.peer === peer ? kept.indexOf(at) : -1;
      if (index < 0) return [];
      if (cursor.before !== undefined) {
        end = index;
        start = end - bounded;
      } else if (cursor.after !== undefined) {
        start = index + 1;
        end = start + bounded;
      } else {
        start = index - Math.floor((bounded - 1) / 2);
        end = index + 1 + (bounded - 1 - Math.floor((bounded - 1) / 2));
      }
    }
    return kept.slice(Math.max(0, start), end).map((k) => k.message);
  }

  /** Outgoing messages in state queued or sent, oldest first. */
  unacknowledged(): StoredMessage[] {
    return [...this.#unacknowledged]
      .sort((a, b) => compare(positionOf(a), positionOf(b)))
      .map((kept) => kept.message);
  }

  /** Conversations with a message, the one with the latest last message first. */
  conversations(limit: number): ConversationRecord[] {
    const withLast = [...this.#conversations.values()].filter((c) => c.kept.length > 0);
    const last = (c: Conversation) => c.kept[c.kept.length - 1]!;
    withLast.sort((a, b) => compare(positionOf(last(b)), positionOf(last(a))));
    return withLast.slice(0, Math.max(0, Math.floor(limit))).map((c) => ({
      conversation: c.peer,
      last: last(c).message,
      unread: Math.min(c.unread, MAX_UNREAD),
    }));
  }

  /** Sets the read mark at message `upTo`, unless it is not kept here or the mark is past it. */
  markRead(peer: string, upTo: string): void {
    const kept = this.#byId.get(upTo);
    if (!kept || kept.conversation.peer !== peer) return;
    const conversation = kept.conversation;
    const mark = positionOf(kept);
    if (conversation.readMark && compare(conversation.readMark, mark) >= 0) return;
    conversation.readMark = mark;
    let unread = 0;
    for (let i = conversation.kept.length - 1; i >= 0; i--) {
      const later = conversation.kept[i]!;
      if (compare(positionOf(later), mark) <= 0) break;
      if (later.message.direction === "in") unread += 1;
    }
    conversation.unread = unread;
  }

  archiveComplete(peer: string): boolean {
    return this.#conversations.get(peer)?.archiveComplete ?? false;
  }

  setArchiveComplete(peer: string): void {
    const conversation = this.#conversations.get(peer) ?? this.#touch(peer, { enforce: true });
    conversation.archiveComplete = true;
  }

  /** Forgets one conversation, its read mark too; returns how many messages went. */
  delete(peer: string): number {
    const conversation = this.#conversations.get(peer);
    if (!conversation) return 0;
    const count = conversation.kept.length;
    this.#dropOldest(conversation, count);
    this.#conversations.delete(peer);
    return count;
  }

  get conversationCount(): number {
    return this.#conversations.size;
  }

  get characters(): number {
    return this.#characters;
  }

  /** The conversation, made the most recently active (created if new). */
  #touch(peer: string, options: { enforce?: boolean } = {}): Conversation {
    let conversation = this.#conversations.get(peer);
    if (conversation) this.#conversations.delete(peer);
    else conversation = { peer, kept: [], readMark: null, unread: 0, archiveComplete: false };
    this.#conversations.set(peer, conversation);
    if (options.enforce) this.#enforceBounds(conversation);
    return conversation;
  }

  /** Whether `kept` is an incoming message after the conversation's read mark. */
  #countsUnread(conversation: Conversation, kept: Kept): boolean {
    if (kept.message.direction !== "in") return false;
    return !conversation.readMark || compare(positionOf(kept), conversation.readMark) > 0;
  }

  #enforceBounds(keep: Conversation): void {
    for (const conversation of this.#conversations.values()) {
      const over =
        this.#conversations.size > this.#limits.maxConversations ||
        this.#characters > this.#limits.maxCharacters;
      if (!over) return;
      if (conversation === keep) {
        // Only the newest conversation is left to shrink: drop its oldest messages, keeping one.
        while (this.#characters > this.#limits.maxCharacters && keep.kept.length > 1) {
          this.#dropOldest(keep, 1);
        }
        return;
      }
      this.#dropOldest(conversation, conversation.kept.length);
      this.#conversations.delete(conversation.peer);
    }
  }

  /** Drops the conversation's `count` oldest messages: what is older is no longer all here. */
  #dropOldest(conversation: Conversation, count: number): void {
    if (count > 0) conversation.archiveComplete = false;
    for (const kept of conversation.kept.splice(0, count)) {
      this.#characters -= kept.message.body.length;
      this.#byId.delete(kept.message.id);
      this.#unacknowledged.delete(kept);
      if (this.#countsUnread(conversation, kept)) conversation.unread -= 1;
    }
  }
}
