import type { ChatMessage, MessageChange } from "../../../../preload/contract";
import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import type { IncomingChat } from "../../stanzas/message";
import { attachmentOf } from "./attachment";
import { newMessageId } from "./message-id";
import { PeerMemory } from "./peer-memory";
import type { ChatHistory, DuplicateProbe, MessageRecord } from "./message-record";
import { toChatMessage, toMessageChange } from "./to-chat-message";

/** A chat message on its way to be kept: whose conversation, which way, and what its ids are worth. */
export interface Arrival {
  message: IncomingChat;
  /** The other party's bare JID. */
  peer: string;
  direction: "in" | "out";
  /** XEP-0359 stanza-id given by our own archive, when it may be trusted. */
  archiveId: string | null;
  /** The archive's time for it (XEP-0313 results). */
  serverAt: number | null;
  /** Came from the archive (catch-up, older history) rather than live. */
  archived: boolean;
  /** XEP-0308: the id of the message it corrects. */
  replaceId: string | null;
  receivedAt: number;
  /**
   * Its ids tell whether it is kept already, so the last rule (the same text within a short
   * window) is not tried: an archived message when the archive's ids are trusted, because every
   * copy kept live carries the same id then. That rule reads every message of the window, which
   * in a burst of thousands is thousands each.
   */
  idsSuffice?: boolean;
  /** The copy already kept (null: none), when that was looked up before. */
  stored?: MessageRecord | null;
}

export interface InboundDeps {
  accountId: string;
  account: string;
  history: () => ChatHistory;
  onMessage: (message: ChatMessage) => void;
  onChanges: (changes: MessageChange[]) => void;
  log: Logger;
}

/**
 * How a batch arrived: live (in the order written, per sender), or an archive page in the
 * archive's order, coming after a message kept at `after` (ms) when known.
 */
export type ArrivalOrder = { live: true } | { after: number | null };

function withTimestamp(arrival: Arrival, timestamp: number): Arrival {
  return { ...arrival, message: { ...arrival.message, timestamp } };
}

/**
 * A delayed message stamped this little before the last one from its sender (whole seconds,
 * clocks apart, a resend after a lost link) is taken to have been written after it; one stamped
 * earlier than that was written earlier (offline, say) and keeps its place.
 */
const SAME_MOMENT_MS = 5_000;

/** With no id at all, the same text from the same sender this close together is a repeat. */
const REPEAT_WINDOW_MS = 10_000;

/**
 * Keeps what arrives: checks it against what is kept (the same message twice shows once), keeps
 * it, then shows it; in arrival order, one batch at a time. A history that fails (a damaged
 * database, a full disk) must not hide a message: it is shown all the same, and the failure logged.
 */
export class Inbound {
  #queue: Promise<unknown> = Promise.resolve();
  /** The time of the last live message from each sender, by conversation and direction. */
  readonly #lastLive = new PeerMemory<number>();

  constructor(private readonly deps: InboundDeps) {}

  /**
   * Keeps the messages in order; resolves with the ones that were new (stored and shown) once
   * all of them are kept. A batch (an archive page) costs the database one round trip when it can.
   */
  keep(
    arrivals: readonly Arrival[],
    order: ArrivalOrder = { live: true },
  ): Promise<MessageRecord[]> {
    const done = this.#queue.then(async () => this.#keepAll(await this.#inOrder(arrivals, order)));
    this.#queue = done.catch((error: unknown) =>
      this.deps.log.error("could not keep incoming messages", { error: errorName(error) }, error),
    );
    return done;
  }

  /** Runs `work` after everything queued before it. */
  after<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#queue.then(work);
    this.#queue = done.catch(() => undefined);
    return done;
  }

  /**
   * Times that keep each sender's messages in the order they were written. Archives and delayed
   * messages stamp whole seconds, live messages get this computer's milliseconds: a message
   * written after a live one in the same second would otherwise sort before it. A sender's live
   * messages arrive in the order written (XMPP delivers in order, and Wren sends what waited before
   * anything new), so a delayed one goes no earlier than the last one from the same sender when it
   * is stamped just before it (see SAME_MOMENT_MS); an archive page is in the archive's order, so none goes before what
   * came before it there — a message already kept, or the point the catch-up started from.
   */
  async #inOrder(arrivals: readonly Arrival[], order: ArrivalOrder): Promise<Arrival[]> {
    if ("live" in order) {
      const ordered: Arrival[] = [];
      for (const arrival of arrivals) {
        const key = `${arrival.peer}\n${arrival.direction}`;
        const stamp = arrival.message.timestamp;
        // A delayed message's stamp is the sender's clock (or the server's, in whole seconds);
        // one that came after another from the same sender, stamped a moment before it, came
        // after it.
        let last = this.#lastLive.get(key);
        // Just started: what came before is in the history.
        if (arrival.message.delayed && last === undefined) last = await this.#newest(arrival.peer);
        const inOrder =
          arrival.message.delayed &&
          last !== undefined &&
          stamp < last &&
          last - stamp < SAME_MOMENT_MS
            ? withTimestamp(arrival, last)
            : arrival;
        this.#lastLive.set(key, inOrder.message.timestamp);
        ordered.push(inOrder);
      }
      return ordered;
    }
    const history = this.deps.history();
    const stored = await Promise.all(
      arrivals.map((arrival) => history.findDuplicate(this.#probe(arrival)).catch(() => null)),
    );
    let floor = order.after ?? -Infinity;
    return arrivals.map((arrival, index) => {
      const kept = stored[index] ?? null;
      if (kept) {
        floor = Math.max(floor, kept.timestamp);
        return { ...arrival, stored: kept };
      }
      const ordered = arrival.message.timestamp < floor ? withTimestamp(arrival, floor) : arrival;
      floor = ordered.message.timestamp;
      return { ...ordered, stored: null };
    });
  }

  /** The time of the newest message kept of the conversation with `peer`, if any. */
  async #newest(peer: string): Promise<number | undefined> {
    try {
      const [newest] = await this.deps
        .history()
        .page({ accountId: this.deps.accountId, conversation: peer, limit: 1 });
      return newest?.timestamp;
    } catch {
      return undefined;
    }
  }

  settled(): Promise<void> {
    return this.#queue.then(() => undefined);
  }

  async #keepAll(arrivals: readonly Arrival[]): Promise<MessageRecord[]> {
    const kept: MessageRecord[] = [];
    let run: Arrival[] = [];
    const flush = async () => {
      if (run.length > 0) kept.push(...(await this.#keepRun(run)));
      run = [];
    };
    for (const arrival of arrivals) {
      if (!arrival.replaceId) {
        run.push(arrival);
        continue;
      }
      await flush();
      const corrected = await this.#correct(arrival);
      if (!corrected) run.push({ ...arrival, replaceId: null });
    }
    await flush();
    return kept;
  }

  async #keepRun(arrivals: readonly Arrival[]): Promise<MessageRecord[]> {
    const history = this.deps.history();
    const records = arrivals.map((arrival) => this.#record(arrival));
    const corrected = await Promise.all(arrivals.map((arrival) => this.#correctedCopy(arrival)));
    const store = async (arrival: Arrival, index: number) =>
      corrected[index] ??
      // Already looked for (an archive page): stored now, with the rest of the page.
      (arrival.stored !== undefined
        ? (arrival.stored ?? this.#add(history, records[index]!))
        : this.#store(history, records[index]!, this.#probe(arrival)));
    // All at once where the history takes them as one batch; else one after the other, so that
    // a message repeated within the batch is found stored.
    const outcomes: (MessageRecord | null)[] = [];
    if (history.addUnlessDuplicate) outcomes.push(...(await Promise.all(arrivals.map(store))));
    else
      for (const [index, arrival] of arrivals.entries()) outcomes.push(await store(arrival, index));
    const kept: MessageRecord[] = [];
    for (const [index, duplicate] of outcomes.entries()) {
      const record = records[index]!;
      const arrival = arrivals[index]!;
      if (duplicate) {
        await this.#learnArchiveId(duplicate, arrival);
        continue;
      }
      kept.push(record);
      this.deps.onMessage(toChatMessage(record, arrival.archived));
    }
    return kept;
  }

  /** Stores `record`; resolves with null (it is no repeat), also when storing failed (logged). */
  async #add(history: ChatHistory, record: MessageRecord): Promise<null> {
    await history
      .add(record)
      .catch((error: unknown) =>
        this.deps.log.error("could not keep an incoming message", { error: errorName(error) }),
      );
    return null;
  }

  /** Stores `record` unless it is a repeat: resolves with the stored copy, or null when stored. */
  async #store(
    history: ChatHistory,
    record: MessageRecord,
    probe: DuplicateProbe,
  ): Promise<MessageRecord | null> {
    try {
      if (history.addUnlessDuplicate) return await history.addUnlessDuplicate(record, probe);
      const duplicate = await history.findDuplicate(probe);
      if (duplicate) return duplicate;
      await history.add(record);
    } catch (error) {
      this.deps.log.error("could not keep an incoming message", { error: errorName(error) });
    }
    return null;
  }

  /**
   * The stored message this one is an older copy of, when its text differs because it was
   * corrected since: the same origin-id in the same conversation and direction, and either ours
   * (our origin-ids are unique: we made them) or one its sender corrected. The one rule for
   * repeats wants the same text, which a correction changed.
   */
  async #correctedCopy(arrival: Arrival): Promise<MessageRecord | null> {
    const originId = arrival.message.originId;
    if (!originId) return null;
    try {
      const stored = await this.deps.history().findByReference({
        accountId: this.deps.accountId,
        conversation: arrival.peer,
        direction: arrival.direction,
        ref: originId,
      });
      if (!stored || stored.originId !== originId) return null;
      return arrival.direction === "out" || stored.editedAt !== null ? stored : null;
    } catch {
      return null; // the rule for repeats gets its turn
    }
  }

  /** Our own message came back from the archive: it keeps its place, and learns its archive id. */
  async #learnArchiveId(stored: MessageRecord, arrival: Arrival): Promise<void> {
    if (!arrival.archiveId || stored.archiveId) return;
    try {
      const updated = await this.deps.history().update(stored.id, {
        archiveId: arrival.archiveId,
        archiveBy: this.deps.account,
        serverAt: arrival.serverAt,
        // The archive has it, so the server has it.
        ...(stored.direction === "out" && { state: "acked" as const }),
      });
      if (updated && updated.state !== stored.state)
        this.deps.onChanges([toMessageChange(updated)]);
    } catch (error) {
      this.deps.log.error("could not record a message's archive id", { error: errorName(error) });
    }
  }

  /**
   * XEP-0308: applied only to a message of the same conversation, the same direction (so the
   * same sender: in a one-to-one chat, "in" is the peer and "out" is us). Returns false when
   * there is no such message: the correction then shows as a message of its own.
   */
  async #correct(arrival: Arrival): Promise<boolean> {
    const history = this.deps.history();
    try {
      const original = await history.findByReference({
        accountId: this.deps.accountId,
        conversation: arrival.peer,
        direction: arrival.direction,
        ref: arrival.replaceId!,
      });
      if (!original) return false;
      const updated = await history.update(original.id, {
        body: arrival.message.body,
        editedAt: arrival.message.timestamp,
      });
      if (updated) this.deps.onChanges([toMessageChange(updated)]);
      return true;
    } catch (error) {
      this.deps.log.error("could not apply a correction", { error: errorName(error) });
      return true;
    }
  }

  #probe(arrival: Arrival): DuplicateProbe {
    return {
      accountId: this.deps.accountId,
      conversation: arrival.peer,
      direction: arrival.direction,
      sender: this.#sender(arrival),
      body: arrival.message.body,
      archiveId: arrival.archiveId,
      originId: arrival.message.originId,
      stanzaId: arrival.message.id || null,
      timestamp: arrival.message.timestamp,
      windowMs: arrival.idsSuffice ? -1 : REPEAT_WINDOW_MS,
    };
  }

  #sender(arrival: Arrival): string {
    return arrival.direction === "in" ? arrival.peer : this.deps.account;
  }

  #record(arrival: Arrival): MessageRecord {
    const { message } = arrival;
    return {
      // Wren's own id: the sender's is not unique, and the page tells messages apart by this one.
      id: newMessageId(arrival.receivedAt),
      accountId: this.deps.accountId,
      conversation: arrival.peer,
      kind: "chat",
      direction: arrival.direction,
      sender: this.#sender(arrival),
      body: message.body,
      // What the archive kept was stored on the way, like an offline message: it was delayed.
      sentAt: message.delayed || arrival.archived ? message.timestamp : null,
      receivedAt: arrival.receivedAt,
      serverAt: arrival.serverAt,
      timestamp: message.timestamp,
      stanzaId: message.id || null,
      originId: message.originId,
      archiveId: arrival.archiveId,
      archiveBy: arrival.archiveId ? this.deps.account : null,
      // Our own message from the archive or another device: the server has it.
      state: arrival.direction === "in" ? "received" : "acked",
      correctsId: null,
      editedAt: null,
      attachment: attachmentOf(message.body, message.fileUrl),
    };
  }
}
