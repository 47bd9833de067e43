import type { CatchUpProgress } from "../../../../preload/contract";
import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import type { Outbox } from "../../outbox";
import type { ArchivedMessage } from "../chat/chat";
import type { ArrivalOrder } from "../chat/inbound";
import type { ChatHistory, MessageRecord, SyncState } from "../chat/message-record";
import type { ArchivePage, ArchiveQueries } from "./archive-queries";
import { endingBefore } from "./ending-before";

export interface CatchUpDeps {
  accountId: string;
  queries: ArchiveQueries;
  history: () => ChatHistory;
  /** Keeps a page; `order` says what it comes after (see ArrivalOrder). */
  keep: (items: ArchivedMessage[], order?: ArrivalOrder) => Promise<MessageRecord[]>;
  onProgress: (progress: CatchUpProgress) => void;
  log: Logger;
  now: () => number;
}

/** Results per page: big enough that 10,000 messages are a hundred round trips. */
export const PAGE_SIZE = 100;
/** The first sign-in fetches recent history only: this many days back, at most… */
export const FIRST_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;
/** …and at most about this many messages. Older ones come when the person scrolls up. */
export const FIRST_WINDOW_MESSAGES = 2_000;
/** Clocks differ: a time-based start begins this much earlier (repeats are recognised). */
const CLOCK_SLACK_MS = 5 * 60 * 1000;

/**
 * One catch-up with the account's archive (XEP-0313) after a session that was not resumed.
 * Forwards from the last archive id taken in, paged to the end, the checkpoint saved after every
 * page: a crash resumes from there. A cursor the archive forgot (item-not-found) falls back to the
 * time of the last message taken in. The first ever catch-up fetches a recent window only,
 * backwards from the newest. Resolves with how many messages came; rejects when the archive fails.
 */
export async function catchUp(outbox: Outbox, deps: CatchUpDeps): Promise<number> {
  const saved = await deps.history().syncState(deps.accountId);
  if (!saved) return firstWindow(outbox, deps);
  return forwards(outbox, deps, saved);
}

async function forwards(outbox: Outbox, deps: CatchUpDeps, saved: SyncState): Promise<number> {
  let fetched = 0;
  let after = saved.archiveId ?? undefined;
  let start = after === undefined ? timeStart(saved, deps) : undefined;
  // What comes after the checkpoint in the archive happened after it; a time-based start reads
  // some of what came before again, so it says nothing.
  let floor = after === undefined ? null : saved.archiveAt;
  for (;;) {
    let page: ArchivePage;
    try {
      page = await deps.queries.page(outbox, { after, start, max: PAGE_SIZE });
    } catch (error) {
      if (after === undefined || !isItemNotFound(error)) throw error;
      deps.log.info("the archive forgot where we were; catching up by time instead");
      after = undefined;
      start = timeStart(saved, deps);
      floor = null;
      continue;
    }
    const kept = await deps.keep(page.items.map(toArchived), { after: floor });
    floor = latest(floor, kept, page);
    fetched += page.items.length;
    const newest = page.items.at(-1);
    const cursor = page.last ?? newest?.archiveId;
    if (newest && cursor) {
      await deps.history().saveSyncState(deps.accountId, {
        archiveId: cursor,
        archiveAt: newest.serverAt ?? saved.archiveAt,
      });
    }
    deps.onProgress({ running: true, fetched });
    // An archive that says "more" but sends nothing, or the same page again, would loop forever.
    if (page.complete || !cursor || cursor === after) return fetched;
    after = cursor;
    start = undefined;
  }
}

/** Backwards from the newest message, until the window is full or the archive ends. */
async function firstWindow(outbox: Outbox, deps: CatchUpDeps): Promise<number> {
  const since = deps.now() - FIRST_WINDOW_MS;
  let fetched = 0;
  let before: string | true = true;
  let ceiling: number | null = null;
  for (;;) {
    const page = await deps.queries.page(outbox, { before, start: since, max: PAGE_SIZE });
    const older = endingBefore(page.items.map(toArchived), ceiling);
    ceiling = older.ceiling;
    await deps.keep(older.items);
    const newest = page.items.at(-1);
    if (fetched === 0) {
      // From here on, catch-ups go forwards from the newest message there was.
      await deps.history().saveSyncState(deps.accountId, {
        archiveId: page.last ?? newest?.archiveId ?? null,
        archiveAt: newest?.serverAt ?? deps.now(),
      });
    }
    fetched += page.items.length;
    deps.onProgress({ running: true, fetched });
    const cursor = page.first ?? page.items[0]?.archiveId;
    if (page.complete || !cursor || cursor === before || fetched >= FIRST_WINDOW_MESSAGES) {
      return fetched;
    }
    before = cursor;
  }
}

/** The latest time a page reached: what the next page comes after. */
function latest(floor: number | null, kept: MessageRecord[], page: ArchivePage): number | null {
  let result = floor;
  for (const time of [...kept.map((m) => m.timestamp), ...page.items.map((i) => i.serverAt)]) {
    if (time !== null && (result === null || time > result)) result = time;
  }
  return result;
}

function timeStart(saved: SyncState, deps: CatchUpDeps): number {
  return (saved.archiveAt ?? deps.now() - FIRST_WINDOW_MS) - CLOCK_SLACK_MS;
}

function toArchived(item: ArchivePage["items"][number]): ArchivedMessage {
  return { message: item.message, archiveId: item.archiveId, serverAt: item.serverAt };
}

function conditionOf(error: unknown): string | null {
  if (!(error instanceof Error) || error.name !== "StanzaError") return null;
  return (error as { condition?: string }).condition ?? null;
}

export function isItemNotFound(error: unknown): boolean {
  return conditionOf(error) === "item-not-found";
}

/** The server has no archive for the account. */
export function isUnsupported(error: unknown): boolean {
  const condition = conditionOf(error);
  return condition === "service-unavailable" || condition === "feature-not-implemented";
}

export function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === "StanzaError") {
    const condition = (error as { condition?: string }).condition ?? "error";
    return `The server's message archive refused (${condition}). Wren tries again at the next sign-in.`;
  }
  if (error instanceof Error && error.name === "TimeoutError") {
    return "The server's message archive did not answer in time. Wren tries again at the next sign-in.";
  }
  return `Catching up with the server's archive failed (${errorName(error)}). Wren tries again at the next sign-in.`;
}
