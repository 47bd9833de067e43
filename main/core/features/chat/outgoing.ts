import { xml } from "@xmpp/client";
import type { MessageChange } from "../../../../preload/contract";
import { errorName, WrenError } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import { parseJid } from "../../jid";
import type { Outbox } from "../../outbox";
import { buildOutgoingChat } from "../../stanzas/chat-extensions";
import { newMessageId } from "./message-id";
import type { ChatHistory, DeliveryState, MessageRecord } from "./message-record";
import { toMessageChange } from "./to-chat-message";

export interface OutgoingDeps {
  accountId: string;
  /** The account's bare JID. */
  account: string;
  history: () => ChatHistory;
  /** The live connection, or null while offline. */
  outbox: () => Outbox | null;
  onChanges: (changes: MessageChange[]) => void;
  log: Logger;
  now: () => number;
}

/**
 * The person's messages on their way out. Each is stored first, as "queued", so that nothing
 * written is lost: offline, it waits; online, it goes out and becomes "sent", then "acked" once the
 * server acknowledged it (XEP-0198, or, where the server has no stream management, once it
 * answered a ping sent after it: a server handles a stream's stanzas in order). After a session
 * that was not resumed (and after a restart) everything not acknowledged goes out again with the
 * same id and origin-id, so a receiver that already has it can tell.
 */
export class Outgoing {
  /** Ids on the wire right now: a resend must not send them a second time. */
  readonly #inFlight = new Set<string>();
  /** Sent on a connection without stream management, waiting for the ping that confirms them. */
  #unconfirmed: string[] = [];
  #confirming = false;
  /** Sends and resends, one after the other. */
  #line: Promise<unknown> = Promise.resolve();
  /** What went out on each connection before its resend (forgotten with it). */
  readonly #sent = new WeakMap<Outbox, Set<string>>();
  /** Connections whose resend is done: nothing more to remember for them. */
  readonly #resent = new WeakSet<Outbox>();
  /**
   * The last connection that came online, until it went for good: it takes what is written while
   * the session still finishes signing in (the session's own outbox is null until then), which
   * would otherwise wait for the next session.
   */
  #connection: Outbox | null = null;

  constructor(private readonly deps: OutgoingDeps) {}

  /**
   * Stores a new message to `to` (the address it goes to; `peer` is the conversation) and sends
   * it. A message carrying a file has the file's URL for body.
   */
  async send(
    to: string,
    peer: string,
    body: string,
    attachment: MessageRecord["attachment"] = null,
  ): Promise<MessageRecord> {
    const now = this.deps.now();
    const id = newMessageId(now);
    const record: MessageRecord = {
      id,
      accountId: this.deps.accountId,
      conversation: peer,
      kind: "chat",
      direction: "out",
      sender: this.deps.account,
      body,
      sentAt: now,
      receivedAt: now,
      serverAt: null,
      timestamp: now,
      stanzaId: id,
      originId: id,
      archiveId: null,
      archiveBy: null,
      state: "queued",
      correctsId: null,
      editedAt: null,
      attachment,
    };
    const outbox = this.#outbox();
    try {
      await this.deps.history().add(record);
    } catch (error) {
      this.deps.log.error("could not keep a sent message", { error: errorName(error) });
      // Online, it goes out all the same; offline, it would be lost: say so instead.
      if (!outbox) {
        throw new WrenError(
          "internal",
          "Wren could not keep this message to send it later. Try again once you are online.",
        );
      }
    }
    if (!outbox) return record;
    // Behind what is being sent again, so that the peer gets them in the order written.
    const sent = await this.#inLine(() => this.#transmit(outbox, record, to, false));
    return sent ?? record;
  }

  /**
   * Corrects one of the person's messages (XEP-0308): the correction goes out as a message of its
   * own that names the original, and the stored original takes the new text. Offline, the stored
   * text changes, and a message still queued goes out corrected.
   */
  async correct(to: string, original: MessageRecord, body: string): Promise<MessageRecord> {
    const now = this.deps.now();
    const updated =
      (await this.deps.history().update(original.id, { body, editedAt: now })) ?? original;
    const outbox = this.#outbox();
    if (outbox && original.state !== "queued") {
      const id = newMessageId(now);
      await outbox.send(
        buildOutgoingChat({ to, id, body, replaces: original.originId ?? original.id }),
      );
    }
    return updated;
  }

  /**
   * The account is connected through `outbox` (verified and bound; the session may still be
   * finishing its sign-in). What waited goes out now, oldest first, before anything written from
   * now on: after a new session every message the server has not acknowledged; after a resumed
   * one only those never sent (xmpp.js sends the rest again itself).
   */
  connected(outbox: Outbox, resumed: boolean): Promise<void> {
    this.#connection = outbox;
    return this.#inLine(() => this.#resend(outbox, resumed));
  }

  async #resend(outbox: Outbox, resumed: boolean): Promise<void> {
    try {
      await this.#resendAll(outbox, resumed);
    } finally {
      this.#resent.add(outbox);
      this.#sent.delete(outbox);
    }
  }

  async #resendAll(outbox: Outbox, resumed: boolean): Promise<void> {
    const unacknowledged = await this.deps.history().unacknowledged(this.deps.accountId);
    const pending = resumed
      ? unacknowledged.filter((record) => record.state === "queued")
      : unacknowledged;
    if (pending.length > 0) this.deps.log.info("sending messages again", { count: pending.length });
    for (const record of pending) {
      if (this.#inFlight.has(record.id) || this.#sentOn(outbox).has(record.id)) continue;
      // A message written long ago says when: the receiver shows it in its place.
      const sent = await this.#transmit(outbox, record, record.conversation, true);
      if (!sent) return; // the connection went: the next session tries again
    }
  }

  /** The server acknowledged one of our stanzas (XEP-0198). */
  acknowledged(id: string): void {
    void this.#advance([id], "acked");
  }

  /** A receipt (XEP-0184) or a displayed marker (XEP-0333) named our message `id`. */
  async peerGot(record: MessageRecord, state: "delivered" | "displayed"): Promise<void> {
    await this.#advance([record.id], state);
  }

  offline(): void {
    this.#unconfirmed = [];
    this.#connection = null;
  }

  #outbox(): Outbox | null {
    return this.deps.outbox() ?? this.#connection;
  }

  /** Runs `work` after every send and resend before it. */
  #inLine<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#line.then(work);
    this.#line = done.catch(() => undefined);
    return done;
  }

  /** The ids sent on `outbox` (this connection): a resend on it skips them. */
  #sentOn(outbox: Outbox): Set<string> {
    let ids = this.#sent.get(outbox);
    if (!ids) this.#sent.set(outbox, (ids = new Set()));
    return ids;
  }

  /** Sends a stored message; resolves with it as "sent", or null when sending failed. */
  async #transmit(
    outbox: Outbox,
    record: MessageRecord,
    to: string,
    late: boolean,
  ): Promise<MessageRecord | null> {
    this.#inFlight.add(record.id);
    if (!this.#resent.has(outbox)) this.#sentOn(outbox).add(record.id);
    try {
      await outbox.send(
        buildOutgoingChat({
          to,
          id: record.id,
          body: record.body,
          ...(record.attachment && { fileUrl: record.attachment.url }),
          ...(late && {
            writtenAt: { stamp: new Date(record.timestamp).toISOString(), from: this.deps.account },
          }),
        }),
      );
    } catch (error) {
      // Still stored as it was: it goes out on the next session.
      this.deps.log.warn("could not send a message; it will be sent again", {
        error: errorName(error),
      });
      return null;
    } finally {
      this.#inFlight.delete(record.id);
    }
    // A resent message that was "sent" already stays so: nothing new to tell.
    const sent = record.state === "queued" ? await this.#advance([record.id], "sent") : [];
    if (!outbox.acknowledges) this.#confirmByPing(outbox, record.id);
    return sent[0] ?? { ...record, state: "sent" };
  }

  #confirmByPing(outbox: Outbox, id: string): void {
    this.#unconfirmed.push(id);
    if (!this.#confirming) this.#ping(outbox);
  }

  /** One ping at a time confirms every message sent before it. */
  #ping(outbox: Outbox): void {
    this.#confirming = true;
    const batch = this.#unconfirmed;
    this.#unconfirmed = [];
    const domain = parseJid(this.deps.account)?.domain ?? "";
    outbox
      .request(xml("iq", { type: "get", to: domain }, xml("ping", { xmlns: "urn:xmpp:ping" })))
      .then(
        () => true,
        // An error answer, too, means the server handled everything we sent before it.
        (error: unknown) => isStanzaError(error),
      )
      .then(async (answered) => {
        if (answered) await this.#advance(batch, "acked");
      })
      .finally(() => {
        this.#confirming = false;
        if (this.#unconfirmed.length > 0) this.#ping(outbox);
      })
      .catch(() => undefined);
  }

  async #advance(ids: readonly string[], state: DeliveryState): Promise<MessageRecord[]> {
    const history = this.deps.history();
    const updated: MessageRecord[] = [];
    await Promise.all(
      ids.map(async (id) => {
        try {
          const before = await history.update(id, { state });
          if (before?.state === state) updated.push(before);
        } catch (error) {
          this.deps.log.error("could not record a message's delivery", {
            error: errorName(error),
          });
        }
      }),
    );
    if (updated.length > 0) this.deps.onChanges(updated.map(toMessageChange));
    return updated;
  }
}

function isStanzaError(error: unknown): boolean {
  return error instanceof Error && error.name === "StanzaError";
}
