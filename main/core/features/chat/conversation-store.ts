import { findDuplicate } from "./identity";
import type { DuplicateProbe, MessageRecord } from "./message-record";

type StoredMessage = MessageRecord;

/** How many recent messages of a conversation are checked for a repeat. */
const REPEAT_WINDOW = 200;

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

/**
 * One account's conversations in memory, in arrival order, within bounds on count and size so that
 * a flood from strangers costs a bounded amount. Messages are named by their Wren id, a stable
 * cursor for paging (timestamps are not: several messages share a second).
 */
export class ConversationStore {
  /** Map order is recency: a conversation moves to the end when a message is added. */
  readonly #conversations = new Map<string, StoredMessage[]>();
  readonly #limits: ConversationLimits;
  #characters = 0;

  constructor(limits: Partial<ConversationLimits> = {}) {
    this.#limits = { ...DEFAULT_CONVERSATION_LIMITS, ...limits };
  }

  add(message: StoredMessage): void {
    let list = this.#conversations.get(message.conversation);
    if (list) this.#conversations.delete(message.conversation);
    else list = [];
    this.#conversations.set(message.conversation, list);
    list.push(message);
    this.#characters += message.body.length;
    if (list.length > this.#limits.maxPerConversation) this.#dropOldest(list, 1);
    this.#enforceBounds(message.conversation);
  }

  /** The stored message `probe` describes, among the conversation's latest. */
  findDuplicate(probe: DuplicateProbe): StoredMessage | null {
    const list = this.#conversations.get(probe.conversation);
    return list ? findDuplicate(list, probe, Math.max(0, list.length - REPEAT_WINDOW)) : null;
  }

  /**
   * Up to `limit` messages, newest last: the latest, or those before the message with id
   * `before`. A cursor that is no longer kept (dropped by the bounds) has nothing before it.
   */
  page(peer: string, before: string | undefined, limit: number): StoredMessage[] {
    const list = this.#conversations.get(peer) ?? [];
    let end = list.length;
    if (before !== undefined) {
      end = list.findIndex((message) => message.id === before);
      if (end < 0) return [];
    }
    return limit > 0 ? list.slice(Math.max(0, end - limit), end) : [];
  }

  /** Forgets one conversation; returns how many messages went. */
  delete(peer: string): number {
    const list = this.#conversations.get(peer);
    if (!list) return 0;
    const count = list.length;
    this.#dropOldest(list, count);
    this.#conversations.delete(peer);
    return count;
  }

  get conversationCount(): number {
    return this.#conversations.size;
  }

  get characters(): number {
    return this.#characters;
  }

  #enforceBounds(keep: string): void {
    for (const [peer, list] of this.#conversations) {
      const over =
        this.#conversations.size > this.#limits.maxConversations ||
        this.#characters > this.#limits.maxCharacters;
      if (!over) return;
      if (peer === keep) {
        // Only the newest conversation is left to shrink: drop its oldest messages, keeping one.
        while (this.#characters > this.#limits.maxCharacters && list.length > 1) {
          this.#dropOldest(list, 1);
        }
        return;
      }
      this.#dropOldest(list, list.length);
      this.#conversations.delete(peer);
    }
  }

  #dropOldest(list: StoredMessage[], count: number): void {
    for (const message of list.splice(0, count)) this.#characters -= message.body.length;
  }
}
