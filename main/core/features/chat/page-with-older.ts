import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import type { HistoryQuery } from "../../session-api";
import type { ChatHistory, MessageRecord } from "./message-record";

export interface PageWithOlderDeps {
  history: ChatHistory;
  accountId: string;
  /** Fetches older messages from the server's archive into `history` (see ChatDeps). */
  fetchOlder?: (peer: string, oldest: MessageRecord | null, limit: number) => Promise<void>;
  log: Logger;
}

/**
 * A page of the conversation with `peer`, oldest first. Scrolling up past what this computer
 * keeps asks the server's archive for older messages first; an archive that fails leaves the
 * page as it is (logged).
 */
export async function pageWithOlder(
  deps: PageWithOlderDeps,
  peer: string,
  query: HistoryQuery,
  limit: number,
): Promise<MessageRecord[]> {
  const page = (around?: string) =>
    deps.history.page({
      accountId: deps.accountId,
      conversation: peer,
      ...(around ? { around, limit: 1 } : { ...query, limit }),
    });
  const records = await page();
  const older = query.after === undefined && query.around === undefined;
  if (!older || records.length >= limit || !deps.fetchOlder) return records;
  try {
    // The oldest message kept: the first of the page, or the one the page ends before.
    const oldest = records[0] ?? (query.before ? ((await page(query.before))[0] ?? null) : null);
    if (query.before && !oldest) return records;
    await deps.fetchOlder(peer, oldest, limit - records.length);
    return await page();
  } catch (error) {
    deps.log.warn("could not fetch older messages from the archive", { error: errorName(error) });
    return records;
  }
}
