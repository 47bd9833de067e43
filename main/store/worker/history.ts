import type { Database } from "better-sqlite3";
import { MAX_UNREAD } from "../../core/features/chat/message-record";
import type { DuplicateProbe, MessageChanges, MessageStore, StoredMessage } from "../message-store";
import type { StoreMethod } from "../protocol";
import { createConversationsRepository } from "./conversations-repository";
import type { UnwrittenMessages } from "./duplicate-rules";
import { createMessagesRepository } from "./messages-repository";
import { createSyncStateRepository } from "./sync-state-repository";

// The store as the worker runs it: MessageStore's methods, synchronous, over the three tables.
// What spans tables happens here, each in one transaction (a savepoint inside the service's).

/** The methods the service answers at once (after committing the writes queued before them). */
export type ImmediateMethod = Exclude<
  StoreMethod,
  "add" | "addUnlessDuplicate" | "update" | "close"
>;

type Synchronous<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;

export type History = {
  [M in Exclude<ImmediateMethod, "findDuplicate">]: Synchronous<MessageStore[M]>;
} & {
  /** Stores a batch in one INSERT, and brings its conversations up to date. */
  insert(messages: readonly StoredMessage[]): void;
  /** As MessageStore's, also looking among `unwritten` (messages of the batch not yet stored). */
  findDuplicate(probe: DuplicateProbe, unwritten?: UnwrittenMessages): StoredMessage | null;
  update(id: string, changes: MessageChanges): StoredMessage | null;
};

/** Every statement is prepared here, once, when the worker opens the database. */
export function createHistory(db: Database): History {
  const messages = createMessagesRepository(db);
  const conversations = createConversationsRepository(db);
  const syncStates = createSyncStateRepository(db);

  const insert = db.transaction((batch: readonly StoredMessage[]) => {
    if (batch.length === 0) return;
    conversations.added(messages.insert(batch));
  });

  const markRead = db.transaction((accountId: string, conversation: string, upTo: string) => {
    const at = messages.position(upTo);
    if (!at || at.accountId !== accountId || at.conversation !== conversation) return;
    const mark = conversations.readMark(accountId, conversation);
    if (mark !== null && mark >= at.key) return; // a mark never moves back
    const unread = messages.countIncomingAfter(accountId, conversation, at, MAX_UNREAD);
    conversations.setReadMark(accountId, conversation, at.key, unread);
  });

  const deleteConversation = db.transaction((accountId: string, conversation: string) => {
    conversations.delete(accountId, conversation);
    return messages.deleteConversation(accountId, conversation);
  });

  const deleteAccount = db.transaction((accountId: string) => {
    conversations.deleteAccount(accountId);
    syncStates.delete(accountId);
    messages.deleteAccount(accountId);
  });

  return {
    insert,
    findDuplicate: (probe, unwritten) => messages.findDuplicate(probe, unwritten),
    update: (id, changes) => messages.update(id, changes),
    findByReference: (reference) => messages.findByReference(reference),
    page: (query) => messages.page(query),
    unacknowledged: (accountId) => messages.unacknowledged(accountId),
    conversations: (accountId, limit) => conversations.list(accountId, limit),
    markRead,
    syncState: (accountId) => syncStates.get(accountId),
    saveSyncState: (accountId, state) => syncStates.save(accountId, state),
    archiveComplete: (accountId, conversation) =>
      conversations.archiveComplete(accountId, conversation),
    setArchiveComplete: (accountId, conversation) =>
      conversations.setArchiveComplete(accountId, conversation),
    deleteConversation,
    search: (query) => messages.search(query),
    deleteAccount,
  };
}
