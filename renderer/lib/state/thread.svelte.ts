// The ids Set is deliberately plain: bookkeeping that no template reads.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ChatMessage, ChatState, MessageChange } from "../../../preload/contract";
import { contactKey } from "./roster.svelte";

/** How many messages a conversation keeps loaded while the reader is at the newest one. */
export const MESSAGE_WINDOW = 200;
/** How many messages one history request asks for. */
export const HISTORY_PAGE = 50;

/**
 * How the loaded messages last changed, for the timeline to keep the reader's place: messages
 * added at or removed from the start ("prepend", "trim") keep the position measured from the end.
 */
export type ThreadChange = "reset" | "append" | "prepend" | "trim" | "update";

/**
 * One conversation (an account and a peer) as the timeline shows it: a contiguous slice of its
 * history (oldest first), whether there is more on either side, its draft and the peer's typing.
 * The slice is the newest messages, unless the reader jumped to an older one (a search result):
 * then `hasNewer` is true and live messages wait in main until the reader pages down to them.
 */
export class Thread {
  /** `contactKey(accountId, peer)`. */
  readonly key: string;
  readonly accountId: string;
  readonly peer: string;
  #ids = new Set<string>();
  #messages = $state.raw<readonly ChatMessage[]>([]);
  #change = $state<ThreadChange>("reset");
  #hasOlder = $state(true);
  #hasNewer = $state(false);
  #historyLoaded = $state(false);
  #loadingOlder = $state(false);
  #loadingNewer = $state(false);
  #historyError = $state<string | null>(null);
  /** Set while the reader browses older history, so new messages do not trim what they read. */
  #browsingOlder = false;
  /** The message a search result opened, shown highlighted. */
  highlight = $state<string | null>(null);
  /** What the peer is doing (XEP-0085): "composing" shows "… is typing". */
  peerState = $state<ChatState | null>(null);
  draft = $state("");

  constructor(accountId: string, peer: string) {
    this.key = contactKey(accountId, peer);
    this.accountId = accountId;
    this.peer = peer;
  }

  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  get change(): ThreadChange {
    return this.#change;
  }

  /** Whether main may hold messages older than the oldest loaded one. */
  get hasOlder(): boolean {
    return this.#hasOlder;
  }

  /** Whether messages newer than the newest loaded one exist (after a jump into the past). */
  get hasNewer(): boolean {
    return this.#hasNewer;
  }

  get historyLoaded(): boolean {
    return this.#historyLoaded;
  }

  get loadingOlder(): boolean {
    return this.#loadingOlder;
  }

  get loadingNewer(): boolean {
    return this.#loadingNewer;
  }

  get historyError(): string | null {
    return this.#historyError;
  }

  /** The person's newest message in the slice: what the Up arrow corrects. */
  lastOwn(): ChatMessage | null {
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const message = this.#messages[i] as ChatMessage;
      if (message.direction === "out") return message;
    }
    return null;
  }

  /**
   * Live messages. Ignored while the slice is not the newest (they would leave a hole); a
   * message from the peer ends its typing.
   */
  add(messages: readonly ChatMessage[]): void {
    if (messages.some((message) => message.direction === "in")) this.peerState = null;
    if (this.#hasNewer) return;
    this.#merge(messages, "append");
    if (!this.#browsingOlder) this.trim();
  }

  /** Records the newest page: what a conversation shows when it opens. */
  historyArrived(page: readonly ChatMessage[], requested: number): void {
    this.#merge(page, "reset");
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
    this.#merge(page, "prepend");
  }

  beginLoadingNewer(): void {
    this.#loadingNewer = true;
    this.#historyError = null;
  }

  newerArrived(page: readonly ChatMessage[], requested: number): void {
    this.#loadingNewer = false;
    this.#merge(page, "append");
    // Reached the newest: live messages join the slice again.
    if (page.length < requested) this.#hasNewer = false;
  }

  /** Replaces the slice with the page around `target` (a search result), highlighted. */
  jumpedTo(page: readonly ChatMessage[], target: string): void {
    this.#ids = new Set(page.map((message) => message.id));
    this.#messages = [...page];
    this.#change = "reset";
    this.#hasOlder = true;
    this.#hasNewer = true;
    this.#historyLoaded = true;
    this.#historyError = null;
    this.#browsingOlder = true;
    this.highlight = target;
  }

  historyFailed(message: string): void {
    this.#loadingOlder = false;
    this.#loadingNewer = false;
    this.#historyError = message;
  }

  /** Delivery ticks and corrections of loaded messages; true when one of them was loaded. */
  applyChanges(changes: readonly MessageChange[]): boolean {
    const byId = new Map<string, MessageChange>();
    for (const change of changes) if (this.#ids.has(change.id)) byId.set(change.id, change);
    if (byId.size === 0) return false;
    this.#messages = this.#messages.map((message) => {
      const change = byId.get(message.id);
      return change ? applyChange(message, change) : message;
    });
    this.#change = "update";
    return true;
  }

  /** The history was deleted: nothing is left to show or to load. */
  historyDeleted(): void {
    this.#messages = [];
    this.#ids = new Set();
    this.#change = "reset";
    this.#hasOlder = false;
    this.#hasNewer = false;
    this.#historyLoaded = true;
    this.#historyError = null;
    this.highlight = null;
  }

  /** Forgets the slice, to load the newest page again (leaving a jump into the past). */
  reload(): void {
    this.#messages = [];
    this.#ids = new Set();
    this.#change = "reset";
    this.#hasOlder = true;
    this.#hasNewer = false;
    this.#historyLoaded = false;
    this.#historyError = null;
    this.#browsingOlder = false;
    this.highlight = null;
  }

  /** The reader is back at the newest message: drop what scrolled far out of reach. */
  trim(): void {
    if (this.#hasNewer) return;
    this.#browsingOlder = false;
    if (this.#messages.length <= MESSAGE_WINDOW * 2) return;
    const kept = this.#messages.slice(-MESSAGE_WINDOW);
    this.#messages = kept;
    this.#ids = new Set(kept.map((message) => message.id));
    this.#change = "trim";
    this.#hasOlder = true;
  }

  /** Merges messages in, ignoring ones already loaded, in time order. */
  #merge(messages: readonly ChatMessage[], change: ThreadChange): void {
    const fresh = messages.filter((message) => !this.#ids.has(message.id));
    if (fresh.length === 0) return;
    for (const message of fresh) this.#ids.add(message.id);
    const current = this.#messages;
    let merged: ChatMessage[];
    if (change === "prepend" && isSorted(fresh) && before(fresh, current)) {
      merged = [...fresh, ...current];
    } else {
      merged = [...current, ...fresh];
      const last = current.at(-1);
      const inOrder =
        (!last || fresh.every((m) => m.timestamp >= last.timestamp)) && isSorted(fresh);
      if (!inOrder) merged.sort((a, b) => a.timestamp - b.timestamp);
    }
    this.#messages = merged;
    this.#change = change;
  }
}

function applyChange(message: ChatMessage, change: MessageChange): ChatMessage {
  return {
    ...message,
    ...(change.state !== undefined && { state: change.state }),
    ...(change.body !== undefined && { body: change.body }),
    ...(change.editedAt !== undefined && { editedAt: change.editedAt }),
  };
}

function before(older: readonly ChatMessage[], newer: readonly ChatMessage[]): boolean {
  const first = newer[0];
  const last = older.at(-1);
  return !first || !last || last.timestamp <= first.timestamp;
}

function isSorted(messages: readonly ChatMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) {
    if ((messages[i] as ChatMessage).timestamp < (messages[i - 1] as ChatMessage).timestamp) {
      return false;
    }
  }
  return true;
}
