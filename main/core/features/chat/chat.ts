import type { Element } from "@xmpp/client";
import type { ChatMessage } from "../../../../preload/contract";
import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import type { Outbox } from "../../outbox";
import { buildChatMessage, parseChatMessage, type IncomingChat } from "../../stanzas/message";
import type { Feature } from "../feature";
import { newMessageId } from "./message-id";
import type { ChatHistory, MessageRecord } from "./message-record";

export interface ChatDeps {
  /** The account's id, as its messages are stored under it. */
  accountId: string;
  /** The account's bare JID: the author of our own messages, the only trusted archive. */
  account: string;
  outbox: () => Outbox;
  /** Where the account's conversations are kept (see useHistory): the database, or memory. */
  history: ChatHistory;
  onMessage: (message: ChatMessage) => void;
  /** Whether the server stamps messages with stanza-ids we may trust (XEP-0359 advertised). */
  trustsArchiveIds?: () => boolean;
  log: Logger;
  now?: () => number;
}

/** A chat message on its way to be kept: whose conversation, which way, and whether its ids count. */
interface Incoming extends IncomingChat {
  peer: string;
  direction: "in" | "out";
  mayTrustIds: boolean;
}

/** With no id at all, the same text from the same sender this close together is a repeat. */
const REPEAT_WINDOW_MS = 10_000;

/**
 * One-to-one chat (RFC 6121 §5): what arrives is checked against what is kept (the same message
 * twice shows once), kept, then shown; in arrival order, one at a time.
 */
export class Chat implements Feature {
  readonly name = "chat";
  readonly #now: () => number;
  /** Incoming messages are kept and shown in the order they arrived, one at a time. */
  #queue: Promise<void> = Promise.resolve();
  #history: ChatHistory;

  constructor(private readonly deps: ChatDeps) {
    this.#now = deps.now ?? Date.now;
    this.#history = deps.history;
  }

  message(stanza: Element): boolean {
    return this.#take(stanza, "in", true);
  }

  /**
   * A message another of the account's devices received ("in") or sent ("out"), as our server
   * copied it (XEP-0280; the carbons feature checked the copy came from our own account). Kept and
   * shown like any other, by the same rule for what counts as the same message. Returns false
   * when it is not a chat message (or an "out" copy not written by the account). Stanza-ids
   * inside a forwarded copy are not trusted: they are the original's, as whoever wrote it chose.
   */
  receiveCarbon(message: Element, direction: "in" | "out"): boolean {
    return this.#take(message, direction, false);
  }

  #take(stanza: Element, direction: "in" | "out", mayTrustIds: boolean): boolean {
    const parsed = parseChatMessage(stanza, this.#now());
    if (!parsed) return false;
    // Our own message, written on another device, belongs to the conversation it went to.
    const own = parsed.from === this.deps.account;
    const peer = direction === "in" ? parsed.from : own ? parsed.to : undefined;
    if (!peer) return false;
    const incoming: Incoming = { ...parsed, peer, direction, mayTrustIds };
    const receivedAt = this.#now();
    this.#queue = this.#queue.then(() =>
      this.#receive(incoming, receivedAt).catch((error: unknown) =>
        this.deps.log.error(
          "could not keep an incoming message",
          { error: errorName(error) },
          error,
        ),
      ),
    );
    return true;
  }

  /**
   * Keeps messages in `history` from now on (the account turned keeping history on or off): what
   * arrived before is kept where it was headed, what arrives after goes to `history`.
   */
  useHistory(history: ChatHistory): Promise<void> {
    this.#queue = this.#queue.then(() => {
      this.#history = history;
    });
    return this.#queue;
  }

  /** Resolves once every message received so far has been kept and shown. */
  settled(): Promise<void> {
    return this.#queue;
  }

  /** Sends a chat message to `to` (bare or full JID); `peer` is its bare JID. */
  async send(to: string, peer: string, body: string): Promise<ChatMessage> {
    const id = newMessageId(this.#now());
    await this.deps.outbox().send(buildChatMessage(to, id, body));
    const now = this.#now();
    const record: MessageRecord = {
      ...this.#record(peer, "out", this.deps.account, body),
      id,
      stanzaId: id,
      originId: id,
      sentAt: now,
      receivedAt: now,
      timestamp: now,
      state: "sent",
    };
    // It was sent: a history that fails to keep it must not make sending look failed.
    await this.#history
      .add(record)
      .catch((error: unknown) =>
        this.deps.log.error("could not keep a sent message", { error: errorName(error) }),
      );
    return toChatMessage(record);
  }

  /** Up to `limit` messages, newest last, before the message with id `before` when given. */
  async history(peer: string, before: string | undefined, limit: number): Promise<ChatMessage[]> {
    const page = await this.#history.page({
      accountId: this.deps.accountId,
      conversation: peer,
      before,
      limit,
    });
    return page.map(toChatMessage);
  }

  /** Deletes what is kept of the conversation with `peer` (here; the server's archive stays). */
  async deleteHistory(peer: string): Promise<number> {
    await this.#queue; // a message still being kept would otherwise outlive the deletion
    return this.#history.deleteConversation(this.deps.accountId, peer);
  }

  async #receive(parsed: Incoming, receivedAt: number): Promise<void> {
    const trusted =
      parsed.mayTrustIds && this.deps.trustsArchiveIds?.()
        ? parsed.stanzaIds.find((stanzaId) => stanzaId.by === this.deps.account)
        : undefined;
    const sender = parsed.direction === "in" ? parsed.from : this.deps.account;
    // A history that fails (a damaged database, a full disk) must not hide the message: it is
    // shown all the same, and the failure logged.
    const duplicate = await this.#history
      .findDuplicate({
        accountId: this.deps.accountId,
        conversation: parsed.peer,
        direction: parsed.direction,
        sender,
        body: parsed.body,
        archiveId: trusted?.id ?? null,
        originId: parsed.originId,
        stanzaId: parsed.id || null,
        timestamp: parsed.timestamp,
        windowMs: REPEAT_WINDOW_MS,
      })
      .catch((error: unknown) => {
        this.deps.log.error("could not look for a repeat in the history", {
          error: errorName(error),
        });
        return null;
      });
    if (duplicate) return;
    const record: MessageRecord = {
      ...this.#record(parsed.peer, parsed.direction, sender, parsed.body),
      sentAt: parsed.delayed ? parsed.timestamp : null,
      receivedAt,
      timestamp: parsed.timestamp,
      stanzaId: parsed.id || null,
      originId: parsed.originId,
      archiveId: trusted?.id ?? null,
      archiveBy: trusted ? this.deps.account : null,
      state: parsed.direction === "in" ? "received" : "sent",
    };
    await this.#history
      .add(record)
      .catch((error: unknown) =>
        this.deps.log.error("could not keep an incoming message", { error: errorName(error) }),
      );
    this.deps.onMessage(toChatMessage(record));
  }

  #record(conversation: string, direction: "in" | "out", sender: string, body: string) {
    return {
      // Wren's own id: the sender's is not unique, and the page tells messages apart by this one.
      id: newMessageId(this.#now()),
      accountId: this.deps.accountId,
      conversation,
      kind: "chat" as const,
      direction,
      sender,
      body,
      serverAt: null,
      archiveId: null,
      archiveBy: null,
      correctsId: null,
    };
  }
}

function toChatMessage(record: MessageRecord): ChatMessage {
  return {
    id: record.id,
    peer: record.conversation,
    direction: record.direction,
    body: record.body,
    timestamp: record.timestamp,
    delayed: record.direction === "in" && record.sentAt !== null,
  };
}
