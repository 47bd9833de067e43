// Maps and Sets here are deliberately plain: bookkeeping that no template reads.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ChatMessage, Envelope, UserError, WrenApi } from "../../../preload/contract";
import type { OwnChatState } from "../typing";
import type { ConversationsState } from "./conversations.svelte";
import { HISTORY_PAGE, type Thread } from "./conversations.svelte";

/** How many conversations the list asks main for at start. */
export const CONVERSATION_LIST_SIZE = 500;

export type Done = { ok: true } | { ok: false; error: UserError };

/**
 * Conversations as the person works with them: opening, paging through history, jumping to a
 * message, sending and correcting, telling the peer about typing, and marking read what the
 * person has seen — only while the conversation is in front and the window has the focus.
 */
export class ChatController {
  readonly conversations: ConversationsState;
  readonly #api: WrenApi;
  readonly #attentive: () => boolean;
  #loadingLatest = new Set<string>();

  constructor(api: WrenApi, conversations: ConversationsState, attentive: () => boolean) {
    this.#api = api;
    this.conversations = conversations;
    this.#attentive = attentive;
  }

  /** The conversation the person is reading now, if any: in front, window focused. */
  get reading(): string | null {
    const thread = this.conversations.selected;
    return thread && !thread.hasNewer && this.#attentive() ? thread.key : null;
  }

  /** The list of conversations and unread counts as main keeps them. */
  async loadConversations(): Promise<void> {
    const list = await this.#api.conversations({ limit: CONVERSATION_LIST_SIZE });
    if (!list.ok) return;
    this.conversations.setSummaries(list.value);
    this.markReadIfSeen();
  }

  /** Opens the conversation with `peer` over `accountId`, loading its newest history the first time. */
  openConversation(accountId: string, peer: string): void {
    this.conversations.select({ accountId, peer });
    const thread = this.conversations.thread(accountId, peer);
    if (!thread.historyLoaded || thread.hasNewer) void this.#loadLatest(thread);
    else this.markReadIfSeen();
  }

  /** Opens the conversation around `messageId` (a search result), that message highlighted. */
  async jumpTo(accountId: string, peer: string, messageId: string): Promise<void> {
    this.conversations.select({ accountId, peer });
    const thread = this.conversations.thread(accountId, peer);
    const page = await this.#api.history({
      accountId,
      peer,
      around: messageId,
      limit: HISTORY_PAGE,
    });
    if (!page.ok) return thread.historyFailed(page.error.message);
    thread.jumpedTo(page.value, messageId);
    // The next page at once: it tells whether the newest messages are in reach, and a short
    // conversation, which cannot be scrolled to ask for it, is then whole.
    await this.loadNewer(thread);
  }

  async loadOlder(thread: Thread): Promise<void> {
    if (thread.loadingOlder || !thread.hasOlder) return;
    const oldest = thread.messages[0];
    thread.beginLoadingOlder();
    const page = await this.#api.history({
      accountId: thread.accountId,
      peer: thread.peer,
      limit: HISTORY_PAGE,
      ...(oldest && { before: oldest.id }),
    });
    if (page.ok) thread.olderArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
  }

  /** After a jump into the past: the next page towards the newest message. */
  async loadNewer(thread: Thread): Promise<void> {
    const newest = thread.messages.at(-1);
    if (thread.loadingNewer || !thread.hasNewer || !newest) return;
    thread.beginLoadingNewer();
    const page = await this.#api.history({
      accountId: thread.accountId,
      peer: thread.peer,
      limit: HISTORY_PAGE,
      after: newest.id,
    });
    if (page.ok) thread.newerArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
    this.markReadIfSeen();
  }

  /** "Jump to newest" after a jump into the past: the newest page replaces the old slice. */
  async jumpToNewest(thread: Thread): Promise<void> {
    thread.highlight = null;
    if (thread.hasNewer) await this.#loadLatest(thread);
  }

  async sendMessage(thread: Thread, body: string): Promise<Envelope<ChatMessage>> {
    const sent = await this.#api.sendMessage({
      accountId: thread.accountId,
      to: thread.peer,
      body,
    });
    if (sent.ok) {
      if (thread.hasNewer) await this.#loadLatest(thread);
      this.applyMessages(thread.accountId, [sent.value]);
    }
    return sent;
  }

  /** Corrects one of the person's own messages (XEP-0308). */
  async correctMessage(thread: Thread, id: string, body: string): Promise<Done> {
    const corrected = await this.#api.correctMessage({
      accountId: thread.accountId,
      to: thread.peer,
      id,
      body,
    });
    if (!corrected.ok) return corrected;
    const { state, body: text, editedAt } = corrected.value;
    this.conversations.applyChanges(thread.accountId, [
      { id, peer: thread.peer, state, body: text, ...(editedAt !== undefined && { editedAt }) },
    ]);
    return { ok: true };
  }

  /** XEP-0085 chat states: best effort, a failure changes nothing the person sees. */
  sendChatState(thread: Thread, state: OwnChatState): void {
    void this.#api.sendChatState({ accountId: thread.accountId, to: thread.peer, state });
  }

  /** Deletes the conversation's history on this computer; the server's archive keeps its copy. */
  async deleteHistory(thread: Thread): Promise<Done> {
    const result = await this.#api.deleteHistory({
      accountId: thread.accountId,
      peer: thread.peer,
    });
    if (!result.ok) return result;
    thread.historyDeleted();
    this.conversations.forget(thread.accountId, thread.peer);
    return { ok: true };
  }

  /** One account's batch of messages; what arrives in the conversation being read is read. */
  applyMessages(accountId: string, messages: readonly ChatMessage[]): void {
    const reading = this.reading;
    this.conversations.applyMessages(accountId, messages, reading);
    const thread = this.conversations.selected;
    if (reading === null || !thread || thread.accountId !== accountId) return;
    const arrived = messages.some((m) => m.peer === thread.peer && m.direction === "in");
    const newest = thread.messages.findLast((message) => message.direction === "in");
    if (arrived && newest) this.#markRead(thread, newest.id);
  }

  /**
   * Marks read the conversation the person is reading, up to its newest message shown, when
   * something in it is unread. Called when that may have changed: a conversation opened or its
   * history arrived, the window gained the focus or became visible.
   */
  markReadIfSeen(): void {
    const thread = this.conversations.selected;
    if (this.reading === null || !thread) return;
    if (this.conversations.unreadFor(thread.accountId, thread.peer) === 0) return;
    const newest = thread.messages.findLast((message) => message.direction === "in");
    if (newest) this.#markRead(thread, newest.id);
    // Counted, yet none of it is in the history: nothing to tell main.
    else if (thread.historyLoaded) this.conversations.markedRead(thread.accountId, thread.peer);
  }

  #markRead(thread: Thread, upTo: string): void {
    this.conversations.markedRead(thread.accountId, thread.peer);
    void this.#api.markRead({ accountId: thread.accountId, peer: thread.peer, upTo });
  }

  async #loadLatest(thread: Thread): Promise<void> {
    if (this.#loadingLatest.has(thread.key)) return;
    this.#loadingLatest.add(thread.key);
    if (thread.hasNewer) thread.reload();
    const page = await this.#api.history({
      accountId: thread.accountId,
      peer: thread.peer,
      limit: HISTORY_PAGE,
    });
    this.#loadingLatest.delete(thread.key);
    // The account was removed meanwhile.
    if (!this.conversations.hasThread(thread.accountId, thread.peer)) return;
    if (page.ok) thread.historyArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
    this.markReadIfSeen();
  }
}
