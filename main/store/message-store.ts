// What the rest of main asks of the message database. The database itself lives in a worker
// thread (worker/store-worker.ts, opened by open-store.ts); this is the asynchronous face main's
// event loop sees. Requests are answered in the order they were made.

// A message as stored is the chat feature's record: the core says what a message is, and this
// store keeps it, as the chat feature's ChatHistory (and a little more: search, accounts).
import type {
  ChatHistory,
  DuplicateProbe,
  MessageChanges,
  MessageRecord as StoredMessage,
} from "../core/features/chat/message-record";

export type {
  ChatHistory,
  ConversationRecord,
  DeliveryState,
  DuplicateProbe,
  HistoryPage,
  MessageChanges,
  MessageRecord as StoredMessage,
  MessageReference,
  SyncState,
} from "../core/features/chat/message-record";

/** What `update` may change on a stored message. */
export type StoredMessageChanges = MessageChanges;

export interface SearchQuery {
  /**
   * Words to look for, all of them, in any order (FTS5 over bodies; each word is quoted, never
   * taken as FTS syntax; case and diacritics do not matter). No word: no results.
   */
  text: string;
  accountId?: string;
  /** Searched through the index only together with `accountId` (without it, a slow filter). */
  conversation?: string;
  /** Only messages older than this one (by id), for paging through results. */
  before?: string;
  /** At most 500. */
  limit: number;
}

/**
 * Every account's history in one database. Besides ChatHistory's rules: pages and searches hold
 * at most 500 messages; messages of a conversation are in the order (timestamp, insertion).
 */
export interface MessageStore extends ChatHistory {
  /**
   * Stores a message; resolves once it is committed to the WAL (it survives Wren crashing).
   * Messages stored close together are committed together.
   */
  add(message: StoredMessage): Promise<void>;
  /**
   * Stores `message` unless `probe` finds it already stored: resolves with that duplicate (and
   * stores nothing), or with null once `message` is stored. One step in the worker, so a message
   * arriving twice at once (live and from the archive) is stored once.
   */
  addUnlessDuplicate(message: StoredMessage, probe: DuplicateProbe): Promise<StoredMessage | null>;
  /** Messages whose body matches, newest first by (timestamp, insertion). */
  search(query: SearchQuery): Promise<StoredMessage[]>;
  /** Deletes everything stored for an account (it was removed): messages, marks, sync state. */
  deleteAccount(accountId: string): Promise<void>;
  /** Finishes pending writes and closes the database; later calls reject. */
  close(): Promise<void>;
}
