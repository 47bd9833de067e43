// What the rest of main asks of the message database. The database itself lives in a worker
// thread (worker/store-worker.ts, opened by open-store.ts); this is the asynchronous face main's
// event loop sees. Requests are answered in the order they were made.

// A message as stored is the chat feature's record: the core says what a message is, and this
// store keeps it.
import type {
  DuplicateProbe,
  HistoryPage,
  MessageRecord as StoredMessage,
} from "../core/features/chat/message-record";

export type {
  DeliveryState,
  DuplicateProbe,
  HistoryPage,
  MessageRecord as StoredMessage,
} from "../core/features/chat/message-record";

/** What `update` may change on a stored message. */
export type StoredMessageChanges = Partial<
  Pick<StoredMessage, "archiveId" | "archiveBy" | "serverAt" | "state">
>;

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

export interface MessageStore {
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
  /** The message already stored that `probe` describes, if any. */
  findDuplicate(probe: DuplicateProbe): Promise<StoredMessage | null>;
  /**
   * Updates fields of a stored message (its archive id once the server assigned one, its
   * state). Fields left out (undefined) keep their value. An unknown id changes nothing.
   */
  update(id: string, changes: StoredMessageChanges): Promise<void>;
  /** Up to `limit` messages of one conversation, oldest first, ordered by (timestamp, insertion). */
  page(query: HistoryPage): Promise<StoredMessage[]>;
  /** Messages whose body matches, newest first by (timestamp, insertion). */
  search(query: SearchQuery): Promise<StoredMessage[]>;
  /** Deletes one conversation's history; resolves with how many messages went. */
  deleteConversation(accountId: string, conversation: string): Promise<number>;
  /** Deletes everything stored for an account (it was removed). */
  deleteAccount(accountId: string): Promise<void>;
  /** Finishes pending writes and closes the database; later calls reject. */
  close(): Promise<void>;
}
