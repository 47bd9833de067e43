import type { Database } from "better-sqlite3";
import { MAX_UNREAD } from "../../core/features/chat/message-record";
import type { ConversationRecord, StoredMessage } from "../message-store";
import { COLUMNS, readsMessages } from "./message-rows";

// One row per conversation (0002-conversations.ts): its last message, read mark, unread count
// and whether its archive was read to the start. Kept up to date as messages are stored, so that
// nothing here reads more than the conversations it answers for.

/** Parameters for the rows of one conversation. */
interface Key {
  accountId: string;
  conversation: string;
}

export interface ConversationsRepository {
  /**
   * Brings the conversations up to date with the messages just inserted (every message with a
   * seq above `afterSeq`), inside the inserting transaction: one statement for the batch.
   */
  added(afterSeq: number): void;
  list(accountId: string, limit: number): ConversationRecord[];
  /** The read mark (a search_key); null when nothing was marked read. */
  readMark(accountId: string, conversation: string): bigint | null;
  /** Sets the mark at `key`, with the conversation's unread count from there. */
  setReadMark(accountId: string, conversation: string, key: bigint, unread: number): void;
  archiveComplete(accountId: string, conversation: string): boolean;
  setArchiveComplete(accountId: string, conversation: string): void;
  delete(accountId: string, conversation: string): void;
  deleteAccount(accountId: string): void;
}

// Each message of the batch (read back by rowid, in the order stored) updates its conversation's
// row: it becomes the last message if it is the latest by search_key, the order (timestamp, seq);
// an incoming one past the read mark is unread. Messages older than the last one (an archive
// page) leave it as it was, and older than the mark count as read. (Grouping the batch by
// conversation first was no faster, and a GROUP BY over `messages` tempts SQLite to walk all of
// messages_by_conversation.)
const ADDED = `
INSERT INTO conversations (account_id, conversation, last_key, unread)
SELECT account_id, conversation, search_key, iif(direction = 'in', 1, 0)
FROM messages WHERE seq > ?
ORDER BY seq
ON CONFLICT (account_id, conversation) DO UPDATE SET
  last_key = iif(last_key IS NULL OR excluded.last_key > last_key, excluded.last_key, last_key),
  unread = min(
    unread + iif(excluded.unread = 1 AND excluded.last_key > coalesce(read_key, -1), 1, 0),
    ${MAX_UNREAD})`;

type ListRow = StoredMessage & { unread: number };

export function createConversationsRepository(db: Database): ConversationsRepository {
  const added = db.prepare<[number]>(ADDED);

  // 2,000 entries of conversations_by_recency and as many messages found by their search_key.
  const list = readsMessages(
    db.prepare<[{ accountId: string; limit: number }], ListRow>(`
    SELECT ${COLUMNS}, c.unread
    FROM conversations c CROSS JOIN messages m ON m.search_key = c.last_key
    WHERE c.account_id = @accountId AND c.last_key IS NOT NULL
    ORDER BY c.last_key DESC LIMIT @limit`),
  );

  const readMark = db.prepare<[Key], bigint | null>(
    "SELECT read_key FROM conversations WHERE account_id = @accountId AND conversation = @conversation",
  );
  readMark.pluck().safeIntegers(true);
  const setReadMark = db.prepare<[Key & { key: bigint; unread: number }]>(`
    UPDATE conversations SET read_key = @key, unread = @unread
    WHERE account_id = @accountId AND conversation = @conversation`);

  const archiveComplete = db.prepare<[Key], number>(`
    SELECT archive_complete FROM conversations
    WHERE account_id = @accountId AND conversation = @conversation`);
  archiveComplete.pluck();
  const setArchiveComplete = db.prepare<[Key]>(`
    INSERT INTO conversations (account_id, conversation, archive_complete)
    VALUES (@accountId, @conversation, 1)
    ON CONFLICT (account_id, conversation) DO UPDATE SET archive_complete = 1`);

  const deleteOne = db.prepare<[Key]>(
    "DELETE FROM conversations WHERE account_id = @accountId AND conversation = @conversation",
  );
  const deleteAccount = db.prepare<[{ accountId: string }]>(
    "DELETE FROM conversations WHERE account_id = @accountId",
  );

  return {
    added(afterSeq) {
      added.run(afterSeq);
    },

    list(accountId, limit) {
      if (!Number.isFinite(limit)) throw new RangeError("limit must be a finite number");
      const rows = list.all({ accountId, limit: Math.max(0, Math.floor(limit)) }) as ListRow[];
      return rows.map(({ unread, ...last }) => ({ conversation: last.conversation, last, unread }));
    },

    readMark(accountId, conversation) {
      return readMark.get({ accountId, conversation }) ?? null;
    },

    setReadMark(accountId, conversation, key, unread) {
      setReadMark.run({ accountId, conversation, key, unread });
    },

    archiveComplete(accountId, conversation) {
      return archiveComplete.get({ accountId, conversation }) === 1;
    },

    setArchiveComplete(accountId, conversation) {
      setArchiveComplete.run({ accountId, conversation });
    },

    delete(accountId, conversation) {
      deleteOne.run({ accountId, conversation });
    },

    deleteAccount(accountId) {
      deleteAccount.run({ accountId });
    },
  };
}
