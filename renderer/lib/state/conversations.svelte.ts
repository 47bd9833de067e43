// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ChatMessage } from "../../../preload/contract";

/** How many messages a conversation keeps loaded while the reader is at the newest one. */
export const MESSAGE_WINDOW = 200;
/** How many messages one history request asks for. */
export const HISTORY_PAGE = 50;

/** One conversation's loaded messages (oldest first), its draft and its history paging. */
export class Thread {
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

  constructor(peer: string) {
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

/** All conversations, which one is open, and unread counts for the others. */
export class ConversationsState {
  #threads = new Map<string, Thread>();
  #selected = $state<string | null>(null);
  // select() creates the thread before naming it, so the lookup here always finds one.
  #selectedThread = $derived(
    this.#selected === null ? null : (this.#threads.get(this.#selected) ?? null),
  );
  #unread = $state.raw<ReadonlyMap<string, number>>(new Map());
  /** Peers with messages this session, most recent first. */
  #recent = $state.raw<readonly string[]>([]);
  #totalUnread = $derived([...this.#unread.values()].reduce((sum, n) => sum + n, 0));

  get selectedPeer(): string | null {
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

  get recent(): readonly string[] {
    return this.#recent;
  }

  unreadFor(peer: string): number {
    return this.#unread.get(peer) ?? 0;
  }

  /** The conversation with `peer`, created empty on first use. */
  thread(peer: string): Thread {
    let thread = this.#threads.get(peer);
    if (!thread) {
      thread = new Thread(peer);
      this.#threads.set(peer, thread);
    }
    return thread;
  }

  hasThread(peer: string): boolean {
    return this.#threads.has(peer);
  }

  select(peer: string | null): void {
    if (peer !== null) this.thread(peer);
    this.#selected = peer;
    if (peer !== null && this.#unread.has(peer)) {
      const next = new Map(this.#unread);
      next.delete(peer);
      this.#unread = next;
    }
  }

  /** Adds a batch of messages to their conversations and counts unread ones in a single update. */
  applyMessages(messages: readonly ChatMessage[]): void {
    const byPeer = new Map<string, ChatMessage[]>();
    for (const message of messages) {
      const list = byPeer.get(message.peer);
      if (list) list.push(message);
      else byPeer.set(message.peer, [message]);
    }
    let unread: Map<string, number> | null = null;
    for (const [peer, list] of byPeer) {
      const fresh = this.thread(peer).add(list);
      if (peer === this.#selected) continue;
      const incoming = fresh.filter((message) => message.direction === "in").length;
      if (incoming === 0) continue;
      unread ??= new Map(this.#unread);
      unread.set(peer, (unread.get(peer) ?? 0) + incoming);
    }
    if (unread) this.#unread = unread;
    const active = [...byPeer.keys()].reverse();
    this.#recent = [...active, ...this.#recent.filter((peer) => !byPeer.has(peer))];
  }

  clear(): void {
    this.#threads.clear();
    this.#selected = null;
    this.#unread = new Map();
    this.#recent = [];
  }
}
