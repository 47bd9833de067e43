import type { Element } from "@xmpp/client";
import type { CatchUpProgress } from "../../../../preload/contract";
import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import type { Outbox } from "../../outbox";
import type { ArchivedMessage } from "../chat/chat";
import type { ArrivalOrder } from "../chat/inbound";
import type { ChatHistory, MessageRecord, SyncState } from "../chat/message-record";
import type { Feature, OnlineInfo } from "../feature";
import { ArchiveQueries, MAX_PAGE } from "./archive-queries";
import { catchUp, describeFailure, isUnsupported } from "./catch-up";
import { endingBefore } from "./ending-before";

export interface ArchiveDeps {
  accountId: string;
  /** The account's bare JID: its archive's address. */
  account: string;
  history: () => ChatHistory;
  /** Keeps archived messages (the chat feature), resolving once they are stored. */
  keep: (items: ArchivedMessage[], order?: ArrivalOrder) => Promise<MessageRecord[]>;
  /** The catch-up ended (done or failed): what waited for it may go now. */
  onCaughtUp: () => void;
  onProgress: (progress: CatchUpProgress) => void;
  outbox: () => Outbox | null;
  log: Logger;
  now?: () => number;
}

/**
 * The account's message archive (XEP-0313): a catch-up after every session that was not resumed,
 * and older messages of one conversation when the person scrolls past what this computer keeps.
 * Placed after carbons in the router, so carbons are on before the catch-up starts.
 */
export class Archive implements Feature {
  readonly name = "archive";
  readonly #queries: ArchiveQueries;
  readonly #now: () => number;
  /** The session whose catch-up runs, so a catch-up of a session gone does not report for it. */
  #session = 0;
  #catchingUp = false;
  /** This session's server answered that it keeps no archive for the account. */
  #unsupported = false;
  /** This session caught up fully: live messages may move the checkpoint from here on. */
  #caughtUp = false;
  /**
   * No catch-up has finished since the account came online: what the archive holds after the
   * checkpoint is a hole in the history. A resumed stream misses nothing new, but does not fill
   * a hole an earlier session's catch-up left when its connection dropped.
   */
  #owed = true;
  #checkpoint: { pending: SyncState | null; saving: boolean } = { pending: null, saving: false };

  constructor(private readonly deps: ArchiveDeps) {
    this.#queries = new ArchiveQueries(deps.account, deps.log);
    this.#now = deps.now ?? Date.now;
  }

  get catchingUp(): boolean {
    return this.#catchingUp;
  }

  message(stanza: Element): boolean {
    return this.#queries.take(stanza);
  }

  online(info: OnlineInfo, outbox: Outbox): Promise<void> {
    // Resumed: the server kept the stream, nothing new was missed.
    if (!info.resumed) {
      this.#unsupported = false;
      this.#owed = true;
    }
    if (this.#owed) void this.#catchUp(outbox, ++this.#session);
    return Promise.resolve();
  }

  offline(): void {
    this.#session++;
    this.#catchingUp = false;
    this.#caughtUp = false;
  }

  /**
   * A live message our archive stamped (a trusted stanza-id) was kept. Once this session caught
   * up, it is where the next catch-up starts: what came live is not fetched again. Never during a
   * catch-up, which would skip what it has not fetched yet.
   */
  keptLive(archiveId: string, at: number): void {
    if (!this.#caughtUp || this.#catchingUp) return;
    this.#checkpoint.pending = { archiveId, archiveAt: at };
    if (!this.#checkpoint.saving) void this.#saveCheckpoint();
  }

  async #saveCheckpoint(): Promise<void> {
    this.#checkpoint.saving = true;
    try {
      while (this.#checkpoint.pending) {
        const state = this.#checkpoint.pending;
        this.#checkpoint.pending = null;
        await this.deps.history().saveSyncState(this.deps.accountId, state);
      }
    } catch (error) {
      this.deps.log.warn("could not save where the archive is", { error: errorName(error) });
    } finally {
      this.#checkpoint.saving = false;
    }
  }

  /**
   * Fetches up to `limit` messages of the conversation with `peer` older than `oldest` (or the
   * newest ones when nothing is kept) into the history. An archive page also holds what is no
   * message to show (receipts, markers): it goes on a few pages until it has `limit` or the
   * archive has no more, which it remembers.
   */
  async fetchOlder(peer: string, oldest: MessageRecord | null, limit: number): Promise<void> {
    const outbox = this.deps.outbox();
    const history = this.deps.history();
    if (!outbox || this.#unsupported) return;
    if (await history.archiveComplete(this.deps.accountId, peer)) return;
    let before: string | true = oldest?.archiveId ?? true;
    // A message without an archive id (sent from here) still marks how far back we are.
    const end = oldest && !oldest.archiveId ? (oldest.serverAt ?? oldest.timestamp) : undefined;
    let ceiling = oldest?.timestamp ?? null;
    let kept = 0;
    for (let round = 0; round < MAX_OLDER_ROUNDS && kept < limit; round++) {
      const page = await this.#pageOrNone(outbox, {
        with: peer,
        before,
        ...(end !== undefined && { end }),
        max: Math.min(limit, MAX_PAGE),
      });
      const older = endingBefore(page.items, ceiling);
      ceiling = older.ceiling;
      kept += (await this.deps.keep(older.items)).length;
      if (page.complete) {
        await history.setArchiveComplete(this.deps.accountId, peer);
        return;
      }
      const cursor = page.first ?? page.items[0]?.archiveId;
      if (!cursor || cursor === before) return;
      before = cursor;
    }
  }

  /** One page; a server that turns out to have no archive is not asked again this session. */
  async #pageOrNone(outbox: Outbox, query: Parameters<ArchiveQueries["page"]>[1]) {
    try {
      return await this.#queries.page(outbox, query);
    } catch (error) {
      if (isUnsupported(error)) this.#unsupported = true;
      throw error;
    }
  }

  async #catchUp(outbox: Outbox, session: number): Promise<void> {
    const current = () => session === this.#session;
    this.#catchingUp = true;
    this.#caughtUp = false;
    this.deps.onProgress({ running: true, fetched: 0 });
    let fetched = 0;
    let error: string | undefined;
    try {
      fetched = await catchUp(outbox, {
        accountId: this.deps.accountId,
        queries: this.#queries,
        history: this.deps.history,
        keep: (items, order) =>
          current() ? this.deps.keep(items, order) : Promise.reject(new Superseded()),
        onProgress: (progress) => {
          fetched = progress.fetched;
          if (current()) this.deps.onProgress(progress);
        },
        log: this.deps.log,
        now: this.#now,
      });
      this.deps.log.info("caught up with the archive", { messages: fetched });
      if (current()) {
        this.#caughtUp = true;
        this.#owed = false;
      }
    } catch (failure) {
      if (failure instanceof Superseded || !current()) return;
      // A server without an archive is no failure the person can do anything about.
      if (isUnsupported(failure)) {
        this.#unsupported = true;
        this.#owed = false;
      } else error = describeFailure(failure);
      this.deps.log.warn("could not catch up with the archive", { error: errorName(failure) });
    } finally {
      if (current()) {
        this.#catchingUp = false;
        this.deps.onCaughtUp();
        this.deps.onProgress({ running: false, fetched, ...(error && { error }) });
      }
    }
  }
}

/** Pages one scroll back may ask for, when they hold little to show. */
const MAX_OLDER_ROUNDS = 5;

/** The session the catch-up ran for is gone; the next one starts its own. */
class Superseded extends Error {
  override name = "Superseded";
}
