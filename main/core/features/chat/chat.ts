import type { Element } from "@xmpp/client";
import type {
  ChatMessage,
  ChatState,
  ConversationSummary,
  MessageChange,
} from "../../../../preload/contract";
import { errorName, WrenError } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import { parseJid, toBareJid } from "../../jid";
import type { Outbox } from "../../outbox";
import {
  buildChatState,
  parseChatExtensions,
  type ChatExtensions,
} from "../../stanzas/chat-extensions";
import { NS_CHAT_STATES } from "../../stanzas/namespaces";
import { parseChatMessage } from "../../stanzas/message";
import type { HistoryQuery } from "../../session-api";
import { handledOnceStored } from "../../stream-resumption";
import type { Feature, OnlineInfo } from "../feature";
import { Inbound, type ArrivalOrder } from "./inbound";
import type { Attachment, ChatHistory, MessageRecord } from "./message-record";
import { Outgoing } from "./outgoing";
import {
  addressOf,
  type ArchivedMessage,
  archivedArrivals,
  checkBody,
  isChatType,
  peerOf,
  referenceOf,
  trustedArchiveId,
} from "./addressing";
import { PeerMemory } from "./peer-memory";
import { pageWithOlder } from "./page-with-older";
import { Receipts } from "./receipts";
import { toChatMessage } from "./to-chat-message";

export interface ChatDeps {
  /** The account's id, as its messages are stored under it. */
  accountId: string;
  /** The account's bare JID: the author of our own messages, the only trusted archive. */
  account: string;
  /** The live connection, or null while offline. */
  outbox: () => Outbox | null;
  /** Where the account's conversations are kept (see useHistory): the database, or memory. */
  history: ChatHistory;
  onMessage: (message: ChatMessage) => void;
  onChanges?: (changes: MessageChange[]) => void;
  onChatState?: (peer: string, state: ChatState) => void;
  /** The person read the conversation on another of their devices. */
  onRead?: (peer: string) => void;
  /** Whether the server stamps messages with stanza-ids we may trust (XEP-0359 advertised). */
  trustsArchiveIds?: () => boolean;
  /** Whether the account is catching up with its archive now: receipts wait until it is done. */
  catchingUp?: () => boolean;
  /** A live message with a trusted archive id was kept (the archive may move its checkpoint). */
  onKeptLive?: (archiveId: string, at: number) => void;
  /**
   * Fetches older messages of a conversation from the server's archive into the history, before
   * `oldest` (the oldest message kept; null when none is). Absent or offline: nothing to fetch.
   */
  fetchOlder?: (peer: string, oldest: MessageRecord | null, limit: number) => Promise<void>;
  log: Logger;
  now?: () => number;
}

export type { ArchivedMessage } from "./addressing";

/**
 * One-to-one chat (RFC 6121 §5) and what travels with it: receipts (XEP-0184), displayed markers
 * (XEP-0333), chat states (XEP-0085) and corrections (XEP-0308). Incoming messages are kept by
 * Inbound, the person's own by Outgoing; this feature decides what to believe and what to answer.
 */
export class Chat implements Feature {
  readonly name = "chat";
  readonly discoFeatures = [
    "urn:xmpp:receipts",
    "urn:xmpp:chat-markers:0",
    NS_CHAT_STATES,
    "urn:xmpp:message-correct:0",
  ];
  readonly #now: () => number;
  readonly #inbound: Inbound;
  readonly #outgoing: Outgoing;
  readonly #receipts: Receipts;
  /** Peers who sent a chat state: the only ones we send ours to (XEP-0085 §5.1). */
  readonly #statesWanted = new PeerMemory<true>();
  #history: ChatHistory;

  constructor(private readonly deps: ChatDeps) {
    this.#now = deps.now ?? Date.now;
    this.#history = deps.history;
    const onChanges = (changes: MessageChange[]) => deps.onChanges?.(changes);
    this.#inbound = new Inbound({
      accountId: deps.accountId,
      account: deps.account,
      history: () => this.#history,
      onMessage: deps.onMessage,
      onChanges,
      log: deps.log,
    });
    this.#receipts = new Receipts({
      outbox: deps.outbox,
      catchingUp: deps.catchingUp,
      log: deps.log,
    });
    this.#outgoing = new Outgoing({
      accountId: deps.accountId,
      account: deps.account,
      history: () => this.#history,
      outbox: deps.outbox,
      onChanges,
      log: deps.log,
      now: this.#now,
    });
  }

  // ---- the router's side --------------------------------------------------------------------

  message(stanza: Element): boolean {
    const from = parseJid(stanza.attrs.from);
    if (!from || !isChatType(stanza)) return false;
    const peer = toBareJid(stanza.attrs.from)!;
    // Ours, from our own bare JID, are for the features before this one (carbons, the archive).
    if (peer === this.deps.account) return false;
    const extensions = parseChatExtensions(stanza);
    const kept = this.#take(
      stanza,
      peer,
      "in",
      extensions,
      trustedArchiveId(stanza, this.deps.account, this.deps.trustsArchiveIds?.() ?? false),
    );
    if (extensions.chatState || kept) {
      this.#statesWanted.set(peer, true);
      this.deps.onChatState?.(peer, extensions.chatState ?? "active");
    }
    if (kept && extensions.wantsReceipt && stanza.attrs.id) {
      this.#receipts.answer(stanza.attrs.from!, stanza.attrs.id);
    }
    if (kept && extensions.markable) {
      this.#receipts.markable(peer, stanza.attrs.from!, referenceOf(stanza));
    }
    return kept || this.#peerNews(peer, "in", extensions);
  }

  /**
   * A message another of the account's devices received ("in") or sent ("out"), as our server
   * copied it (XEP-0280; the carbons feature checked the copy came from our own account).
   * Stanza-ids inside a forwarded copy are not trusted: they are the original's, as whoever wrote
   * it chose. Returns false when there was nothing in it for chat.
   */
  receiveCarbon(message: Element, direction: "in" | "out"): boolean {
    if (!isChatType(message)) return false;
    const peer = peerOf(this.deps.account, message, direction);
    if (!peer) return false;
    const extensions = parseChatExtensions(message);
    if (direction === "out") {
      // Another device of ours answered a receipt: this one need not.
      if (extensions.receivedId) this.#receipts.answeredElsewhere(extensions.receivedId);
      if (extensions.displayedId) void this.#readElsewhere(peer, extensions.displayedId);
    }
    const kept = this.#take(message, peer, direction, extensions, null);
    return kept || (direction === "in" && this.#peerNews(peer, "in", extensions));
  }

  /**
   * Archived messages (XEP-0313; the archive feature checked they answer our query and come from
   * our own archive), kept in order. Never answered: no receipt, marker or notification. Resolves
   * with the ones that were new, once all are kept.
   */
  keepArchived(
    items: readonly ArchivedMessage[],
    order: ArrivalOrder = { after: null },
  ): Promise<MessageRecord[]> {
    const idsSuffice = this.deps.trustsArchiveIds?.() ?? false;
    const arrivals = archivedArrivals(items, this.deps.account, this.#now()).map((arrival) => ({
      ...arrival,
      idsSuffice,
    }));
    return this.#inbound.keep(arrivals, order);
  }

  online(info: OnlineInfo, outbox: Outbox): Promise<void> {
    // In the background: signing in does not wait for a backlog to go out.
    void this.#outgoing
      .connected(outbox, info.resumed)
      .catch((error: unknown) =>
        this.deps.log.error("could not send queued messages", { error: errorName(error) }),
      );
    return Promise.resolve();
  }

  offline(): void {
    this.#outgoing.offline();
  }

  acknowledged(stanza: Element): void {
    if (stanza.is("message") && stanza.attrs.id && stanza.getChild("body")) {
      this.#outgoing.acknowledged(stanza.attrs.id);
    }
  }

  /** The catch-up is over: the receipts it held back go out now. */
  catchUpDone(): void {
    this.#receipts.catchUpDone();
  }

  // ---- the person's side --------------------------------------------------------------------

  /**
   * Sends a message to `to` (a bare or full JID). Stored first: offline, it is kept "queued"
   * and sent once the account connects (also after a restart).
   */
  async send(to: string, body: string): Promise<ChatMessage> {
    const { address, peer } = addressOf(to);
    checkBody(body);
    const record = await this.#outgoing.send(address, peer, body);
    return toChatMessage(record);
  }

  /**
   * Sends the file uploaded to `attachment.url` to `to`: a message whose body is the URL, marked
   * as a file with XEP-0066 out-of-band data, stored and resent like any message.
   */
  async sendFile(to: string, attachment: Attachment): Promise<ChatMessage> {
    const { address, peer } = addressOf(to);
    const record = await this.#outgoing.send(address, peer, attachment.url, attachment);
    return toChatMessage(record);
  }

  /** Corrects the person's own message `id` (XEP-0308). */
  async correct(to: string, id: string, body: string): Promise<ChatMessage> {
    const { address, peer } = addressOf(to);
    checkBody(body);
    const original = await this.#history.findByReference({
      accountId: this.deps.accountId,
      conversation: peer,
      direction: "out",
      ref: id,
    });
    if (!original || original.id !== id) {
      throw new WrenError("invalid-argument", "Only your own messages can be corrected.");
    }
    return toChatMessage(await this.#outgoing.correct(address, original, body));
  }

  /** XEP-0085: only to peers who showed they use chat states; nothing while offline. */
  async sendChatState(to: string, state: ChatState): Promise<void> {
    const { address, peer } = addressOf(to);
    const outbox = this.deps.outbox();
    if (!outbox || !this.#statesWanted.get(peer)) return;
    await outbox.send(buildChatState(address, state));
  }

  /**
   * The person has seen the conversation up to `upTo`: its unread count goes to 0, and the peer
   * is told with a displayed marker when it asked for one.
   */
  async markRead(peer: string, upTo: string): Promise<void> {
    await this.#history.markRead(this.deps.accountId, peer, upTo);
    this.#receipts.displayed(peer);
  }

  /**
   * A page of the conversation with `peer`, oldest first. Scrolling up past what this computer
   * keeps asks the server's archive for older messages (once online).
   */
  async history(peer: string, query: HistoryQuery, limit: number): Promise<ChatMessage[]> {
    const records = await pageWithOlder(
      {
        history: this.#history,
        accountId: this.deps.accountId,
        fetchOlder: this.deps.fetchOlder,
        log: this.deps.log,
      },
      peer,
      query,
      limit,
    );
    return records.map((record) => toChatMessage(record));
  }

  async conversations(limit: number): Promise<Omit<ConversationSummary, "accountId">[]> {
    const found = await this.#history.conversations(this.deps.accountId, limit);
    return found.map(({ conversation, last, unread }) => ({
      peer: conversation,
      last: toChatMessage(last),
      unread,
    }));
  }

  /**
   * Deletes what is kept of the conversation with `peer` here. The server's archive keeps its
   * copy, but what was deleted does not come back from it when the person scrolls up: older
   * history of this conversation is not fetched again.
   */
  async deleteHistory(peer: string): Promise<number> {
    // A message still being kept would otherwise outlive the deletion.
    return this.#inbound.after(async () => {
      const deleted = await this.#history.deleteConversation(this.deps.accountId, peer);
      await this.#history.setArchiveComplete(this.deps.accountId, peer);
      return deleted;
    });
  }

  /**
   * Keeps messages in `history` from now on (the account turned keeping history on or off): what
   * arrived before is kept where it was headed, what arrives after goes to `history`.
   */
  useHistory(history: ChatHistory): Promise<void> {
    return this.#inbound.after(async () => {
      this.#history = history;
    });
  }

  /** Where messages are kept now. */
  get keptIn(): ChatHistory {
    return this.#history;
  }

  /** Resolves once every message received so far has been kept and shown. */
  settled(): Promise<void> {
    return this.#inbound.settled();
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Keeps a message with a body; false when there is none. */
  #take(
    stanza: Element,
    peer: string,
    direction: "in" | "out",
    extensions: ChatExtensions,
    archiveId: string | null,
  ): boolean {
    const receivedAt = this.#now();
    const parsed = parseChatMessage(stanza, receivedAt);
    if (!parsed) return false;
    const kept = this.#inbound.keep([
      {
        message: parsed,
        peer,
        direction,
        archiveId,
        serverAt: null,
        archived: false,
        replaceId: extensions.replaceId,
        receivedAt,
      },
    ]);
    // The server may forget it once we say we handled it: not before it is stored. (A failure
    // to keep it is logged by Inbound.)
    handledOnceStored(stanza, kept);
    kept.then(
      (records) => {
        if (archiveId && records.length > 0) this.deps.onKeptLive?.(archiveId, receivedAt);
      },
      () => undefined,
    );
    return true;
  }

  /** Receipts and markers from the peer about our messages. */
  #peerNews(peer: string, direction: "in", extensions: ChatExtensions): boolean {
    const id = extensions.displayedId ?? extensions.receivedId;
    if (!id) return extensions.chatState !== null;
    const state = extensions.displayedId ? "displayed" : "delivered";
    void this.#inbound.after(async () => {
      const ours = await this.#history.findByReference({
        accountId: this.deps.accountId,
        conversation: peer,
        direction: direction === "in" ? "out" : "in",
        ref: id,
      });
      if (ours) await this.#outgoing.peerGot(ours, state);
    });
    return true;
  }

  /** Another device of ours showed the conversation up to the message `ref`. */
  async #readElsewhere(peer: string, ref: string): Promise<void> {
    await this.#inbound.after(async () => {
      const seen = await this.#history.findByReference({
        accountId: this.deps.accountId,
        conversation: peer,
        direction: "in",
        ref,
      });
      if (!seen) return;
      await this.#history.markRead(this.deps.accountId, peer, seen.id);
      this.#receipts.displayedElsewhere(peer);
      this.deps.onRead?.(peer);
    });
  }
}
