// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ChatMessage } from "../../../preload/contract";
import { contactKey } from "./roster.svelte";

/** How many messages a conversation keeps loaded while the reader is at the newest one. */
export const MESSAGE_WINDOW = 200;
/** How many messages one history request asks for. */
export const HISTORY_PAGE = 50;

/** One conversation (an account and a peer): its loaded messages (oldest first), draft and paging. */
export class Thread {
  /** `contactKey(accountId, peer)`. */
  readonly key: string;
  readonly accountId: string;
  readonly peer: string;
  #ids = new Set<string>();
  #messages = $state.raw<readonly ChatMessage[]>([]);
  #hasOlder = $state(true);
  #historyLoaded = $state(false);
  #loadingOlder = $state(false);
  #historyError = $state<string | null>(null);
  /** Set while the reader browses older history, so new messages do not trim what they read. */
  #browsingOlder = false;
  draft = $state("");

  constructor(accountId: string, peer: string) {
    this.key = contactKey(accountId, peer);
    this.accountId = accountId;
    this.peer = peer;
  }

  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** Whether the server may hold messages older than the oldest loaded one. */
  get hasOlder(): boolean {
    return this.#hasOlder;
  }

  get historyLoaded(): boolean {
    return this.#historyLoaded;
  }

  get loadingOlder(): boolean {
    return this.#loadingOlder;
  }

  get historyError(): string | null {
    return this.#historyError;
  }

  /** Merges messages in, ignoring ones already loaded; returns the ones that were new. */
  add(messages: readonly ChatMessage[]): ChatMessage[] {
    const fresh = messages.filter((message) => !this.#ids.has(message.id));
    if (fresh.length === 0) return fresh;
    for (const message of fresh) this.#ids.add(message.id);
    const last = this.#messages.at(-1);
    const merged = [...this.#messages, ...fresh];
    const inOrder = (!last || fresh.every((m) => m.timestamp >= last.timestamp)) && isSorted(fresh);
    if (!inOrder) merged.sort((a, b) => a.timestamp - b.timestamp);
    this.#messages = merged;
    if (!this.#browsingOlder) this.trim();
    return fresh;
  }

  /** Records the first history page (the newest messages). */
  historyArrived(page: readonly ChatMessage[], requested: number): void {
    this.add(page);
    this.#historyLoaded = true;
    this.#historyError = null;
    this.#hasOlder = page.length >= requested;
  }

  beginLoadingOlder(): void {
    this.#loadingOlder = true;
    this.#historyError = null;
    this.#browsingOlder = true;
  }

  olderArrived(page: readonly ChatMessage[], requested: number): void {
    this.#loadingOlder = false;
    this.#hasOlder = page.length >= requested;
    this.add(page);
  }

  historyFailed(message: string): void {
    this.#loadingOlder = false;
    this.#historyError = message;
  }

  /** The history was deleted: nothing is left to show or to load. */
  historyDeleted(): void {
    this.#messages = [];
    this.#ids = new Set();
    this.#hasOlder = false;
    this.#historyLoaded = true;
    this.#historyError = null;
  }

  /** The reader is back at the newest message: drop what scrolled far out of reach. */
  trim(): void {
    this.#browsingOlder = false;
    if (this.#messages.length <= MESSAGE_WINDOW * 2) return;
    const kept = this.#messages.slice(-MESSAGE_WINDOW);
    this.#messages = kept;
    this.#ids = new Set(kept.map((message) => message.id));
    this.#hasOlder = true;
  }
}

function isSorted(messages: readonly ChatMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) {
    if ((messages[i] as ChatMessage).timestamp < (messages[i - 1] as ChatMessage).timestamp) {
      return false;
    }
  }
  return true;
}

/** Conversations kept in the page at once, across accounts. */
export const MAX_CONVERSATIONS = 2_000;

/** All conversations, keyed by (account, peer); which one is open, and unread counts for the others. */
export class ConversationsState {
  #threads = new Map<string, Thread>();
  #selected = $state<string | null>(null);
  // select() creates the thread before naming it, so the lookup here always finds one.
  #selectedThread = $derived(
    this.#selected === null ? null : (this.#threads.get(this.#selected) ?? null),
  );
  /** Unread counts by conversation key. */
  #unread = $state.raw<ReadonlyMap<string, number>>(new Map());
  /** Conversations with messages this session, most recent first. */
  #recent = $state.raw<readonly Thread[]>([]);
  #totalUnread = $derived([...this.#unread.values()].reduce((sum, n) => sum + n, 0));

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

  get recent(): readonly Thread[] {
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
    if (conversation === null) {
      this.#selected = null;
      return;
    }
    const key = this.thread(conversation.accountId, conversation.peer).key;
    this.#selected = key;
    if (this.#unread.has(key)) {
      const next = new Map(this.#unread);
      next.delete(key);
      this.#unread = next;
    }
  }

  /** Adds one account's batch of messages to its conversations, counting unread ones in one update. */
  applyMessages(accountId: string, messages: readonly ChatMessage[]): void {
    const byPeer = new Map<string, ChatMessage[]>();
    for (const message of messages) {
      const list = byPeer.get(message.peer);
      if (list) list.push(message);
      else byPeer.set(message.peer, [message]);
    }
    let unread: Map<string, number> | null = null;
    const active: Thread[] = [];
    for (const [peer, list] of byPeer) {
      const thread = this.thread(accountId, peer);
      active.unshift(thread);
      const fresh = thread.add(list);
      if (thread.key === this.#selected) continue;
      const incoming = fresh.filter((message) => message.direction === "in").length;
      if (incoming === 0) continue;
      unread ??= new Map(this.#unread);
      unread.set(thread.key, (unread.get(thread.key) ?? 0) + incoming);
    }
    const moved = new Set(active);
    let recent = [...active, ...this.#recent.filter((thread) => !moved.has(thread))];
    if (recent.length > MAX_CONVERSATIONS)
      recent = this.#forgetOldest(recent, unread ?? this.#unread);
    else if (unread) this.#unread = unread;
    this.#recent = recent;
  }

  /**
   * Anyone can start a conversation, so a flood of strangers must cost a bounded amount: the least
   * recent conversations beyond the bound are forgotten here (main still has their history).
   */
  #forgetOldest(recent: Thread[], unread: ReadonlyMap<string, number>): Thread[] {
    const kept: Thread[] = [];
    const counts = new Map(unread);
    for (const thread of recent) {
      if (kept.length < MAX_CONVERSATIONS || thread.key === this.#selected) {
        kept.push(thread);
      } else {
        this.#threads.delete(thread.key);
        counts.delete(thread.key);
      }
    }
    this.#unread = counts;
    return kept;
  }

  /** Forgets an account's conversations (account removed). */
  removeAccount(accountId: string): void {
    for (const [key, thread] of this.#threads) {
      if (thread.accountId === accountId) this.#threads.delete(key);
    }
    if (this.#selected !== null && !this.#threads.has(this.#selected)) this.#selected = null;
    const unread = new Map([...this.#unread].filter(([key]) => this.#threads.has(key)));
    if (unread.size !== this.#unread.size) this.#unread = unread;
    this.#recent = this.#recent.filter((thread) => thread.accountId !== accountId);
  }
}
