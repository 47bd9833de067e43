// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ChatMessage, ConversationSummary, MessageChange } from "../../../preload/contract";
import { contactKey } from "./roster.svelte";
import { Thread } from "./thread.svelte";

export { HISTORY_PAGE, MESSAGE_WINDOW, Thread } from "./thread.svelte";

/** A row of the conversation list: its newest message is the preview and the order. */
export interface ConversationEntry {
  key: string;
  accountId: string;
  peer: string;
  last: ChatMessage;
}

/** Conversations kept in the page at once, across accounts. */
export const MAX_CONVERSATIONS = 2_000;
/** How many message ids are remembered so that a message told twice is counted once. */
const COUNTED_IDS = 10_000;

/**
 * All conversations, keyed by (account, peer): the list of them (most recent first, with unread
 * counts that main keeps across restarts), which one is open, and each one's thread.
 */
export class ConversationsState {
  #threads = new Map<string, Thread>();
  #selected = $state<string | null>(null);
  // select() creates the thread before naming it, so the lookup here always finds one.
  #selectedThread = $derived(
    this.#selected === null ? null : (this.#threads.get(this.#selected) ?? null),
  );
  /** Unread counts by conversation key. */
  #unread = $state.raw<ReadonlyMap<string, number>>(new Map());
  #recent = $state.raw<readonly ConversationEntry[]>([]);
  #totalUnread = $derived([...this.#unread.values()].reduce((sum, n) => sum + n, 0));
  /** Ids of messages already counted (insertion order: the oldest are forgotten first). */
  #counted = new Set<string>();

  get selectedKey(): string | null {
    return this.#selected;
  }

  get selected(): Thread | null {
    return this.#selectedThread;
  }

  get unread(): ReadonlyMap<string, number> {
    return this.#unread;
  }

  get totalUnread(): number {
    return this.#totalUnread;
  }

  /** Conversations with messages, most recent first. */
  get recent(): readonly ConversationEntry[] {
    return this.#recent;
  }

  unreadFor(accountId: string, peer: string): number {
    return this.#unread.get(contactKey(accountId, peer)) ?? 0;
  }

  /** The conversation with `peer` over `accountId`, created empty on first use. */
  thread(accountId: string, peer: string): Thread {
    const key = contactKey(accountId, peer);
    let thread = this.#threads.get(key);
    if (!thread) {
      thread = new Thread(accountId, peer);
      this.#threads.set(key, thread);
    }
    return thread;
  }

  hasThread(accountId: string, peer: string): boolean {
    return this.#threads.has(contactKey(accountId, peer));
  }

  select(conversation: { accountId: string; peer: string } | null): void {
    this.#selected =
      conversation === null ? null : this.thread(conversation.accountId, conversation.peer).key;
  }

  /**
   * The list as main keeps it (at start, and after a catch-up): its unread counts replace the
   * page's, and rows the page learnt of meanwhile stay.
   */
  setSummaries(summaries: readonly ConversationSummary[]): void {
    const unread = new Map(this.#unread);
    const byKey = new Map(this.#recent.map((entry) => [entry.key, entry]));
    for (const { accountId, peer, last, unread: count } of summaries) {
      const key = contactKey(accountId, peer);
      const known = byKey.get(key);
      if (!known || known.last.timestamp <= last.timestamp) {
        byKey.set(key, { key, accountId, peer, last });
      }
      if (count > 0) unread.set(key, count);
      else unread.delete(key);
    }
    this.#publish([...byKey.values()], unread);
  }

  /**
   * Adds one account's batch of messages to its conversations and the list, counting incoming
   * ones as unread in one update — except in `reading`, the conversation the person is reading
   * now (it is marked read instead).
   */
  applyMessages(
    accountId: string,
    messages: readonly ChatMessage[],
    reading?: string | null,
  ): void {
    const byPeer = new Map<string, ChatMessage[]>();
    for (const message of messages) {
      const list = byPeer.get(message.peer);
      if (list) list.push(message);
      else byPeer.set(message.peer, [message]);
    }
    let unread: Map<string, number> | null = null;
    const entries = new Map(this.#recent.map((entry) => [entry.key, entry]));
    for (const [peer, list] of byPeer) {
      const thread = this.thread(accountId, peer);
      thread.add(list);
      const newest = list.reduce((a, b) => (b.timestamp >= a.timestamp ? b : a));
      const known = entries.get(thread.key);
      if (!known || known.last.timestamp <= newest.timestamp || known.last.id === newest.id) {
        entries.set(thread.key, { key: thread.key, accountId, peer, last: newest });
      }
      const incoming = list.filter((m) => m.direction === "in" && this.#count(m.id)).length;
      if (incoming === 0 || thread.key === reading) continue;
      unread ??= new Map(this.#unread);
      unread.set(thread.key, (unread.get(thread.key) ?? 0) + incoming);
    }
    this.#publish([...entries.values()], unread ?? this.#unread);
  }

  /** Delivery ticks and corrections, for loaded messages and the list's previews. */
  applyChanges(accountId: string, changes: readonly MessageChange[]): void {
    const byPeer = new Map<string, MessageChange[]>();
    for (const change of changes) {
      const list = byPeer.get(change.peer);
      if (list) list.push(change);
      else byPeer.set(change.peer, [change]);
    }
    let recent: ConversationEntry[] | null = null;
    for (const [peer, list] of byPeer) {
      const key = contactKey(accountId, peer);
      this.#threads.get(key)?.applyChanges(list);
      const at = this.#recent.findIndex((entry) => entry.key === key);
      const entry = this.#recent[at];
      const change = entry && list.findLast((c) => c.id === entry.last.id);
      if (!entry || !change) continue;
      recent ??= [...this.#recent];
      recent[at] = { ...entry, last: { ...entry.last, ...definedOf(change) } };
    }
    if (recent) this.#recent = recent;
  }

  /** The conversation was read (here or on another device): nothing in it is unread. */
  markedRead(accountId: string, peer: string): void {
    const key = contactKey(accountId, peer);
    if (!this.#unread.has(key)) return;
    const unread = new Map(this.#unread);
    unread.delete(key);
    this.#unread = unread;
  }

  /** The conversation's history is gone: it leaves the list. */
  forget(accountId: string, peer: string): void {
    const key = contactKey(accountId, peer);
    this.markedRead(accountId, peer);
    this.#recent = this.#recent.filter((entry) => entry.key !== key);
  }

  /** Forgets an account's conversations (account removed). */
  removeAccount(accountId: string): void {
    for (const [key, thread] of this.#threads) {
      if (thread.accountId === accountId) this.#threads.delete(key);
    }
    if (this.#selected !== null && !this.#threads.has(this.#selected)) this.#selected = null;
    const unread = new Map(
      [...this.#unread].filter(([key]) => !key.startsWith(contactKey(accountId, ""))),
    );
    if (unread.size !== this.#unread.size) this.#unread = unread;
    this.#recent = this.#recent.filter((entry) => entry.accountId !== accountId);
  }

  /** True the first time a message id is seen. */
  #count(id: string): boolean {
    if (this.#counted.has(id)) return false;
    this.#counted.add(id);
    if (this.#counted.size > COUNTED_IDS) {
      const oldest = this.#counted.values().next().value as string;
      this.#counted.delete(oldest);
    }
    return true;
  }

  /**
   * Publishes the list, most recent first. Anyone can start a conversation, so a flood of
   * strangers must cost a bounded amount: the least recent conversations beyond the bound are
   * forgotten here (main still has their history).
   */
  #publish(entries: ConversationEntry[], unread: ReadonlyMap<string, number>): void {
    entries.sort((a, b) => b.last.timestamp - a.last.timestamp);
    if (entries.length <= MAX_CONVERSATIONS) {
      this.#recent = entries;
      if (unread !== this.#unread) this.#unread = unread;
      return;
    }
    const kept: ConversationEntry[] = [];
    const counts = new Map(unread);
    for (const entry of entries) {
      if (kept.length < MAX_CONVERSATIONS || entry.key === this.#selected) {
        kept.push(entry);
      } else {
        this.#threads.delete(entry.key);
        counts.delete(entry.key);
      }
    }
    this.#recent = kept;
    this.#unread = counts;
  }
}

function definedOf(change: MessageChange): Partial<ChatMessage> {
  return {
    ...(change.state !== undefined && { state: change.state }),
    ...(change.body !== undefined && { body: change.body }),
    ...(change.editedAt !== undefined && { editedAt: change.editedAt }),
  };
}
