import type { ChatHistory } from "../core/features/chat/message-record";
import { errorName } from "../shared/errors";
import { createLogger } from "../shared/log";
import type { MessageStore } from "./message-store";
import { openMessageStore, type OpenMessageStoreOptions } from "./open-store";

const log = createLogger("app/store");

/** The message store as the app holds it from the start, while the database is still opening. */
export interface OpeningStore {
  /** Every account's conversations; each call waits for the database to be open. */
  history: ChatHistory;
  /** Full-text search over every account's kept messages. */
  search: MessageStore["search"];
  /** Deletes what is kept for a removed account. */
  deleteAccount(accountId: string): Promise<void>;
  /** Closes the database once it is open (or gives up on it). Never rejects. */
  close(): Promise<void>;
}

/**
 * Starts opening the database and answers for it at once: the app is built synchronously, and
 * the first message can wait the few milliseconds the worker needs. A database that cannot be
 * opened makes every call reject with its readable reason; messages are still shown (the chat
 * feature keeps going without a history) and the reason is logged once here.
 */
export function openingStore(options: OpenMessageStoreOptions): OpeningStore {
  const opening = openMessageStore(options);
  opening.catch((error: unknown) =>
    log.error("could not open the message history", { error: errorName(error) }, error),
  );
  const use = async <T>(work: (store: MessageStore) => Promise<T>): Promise<T> =>
    work(await opening);
  return {
    history: {
      add: (message) => use((store) => store.add(message)),
      findDuplicate: (probe) => use((store) => store.findDuplicate(probe)),
      addUnlessDuplicate: (message, probe) =>
        use((store) => store.addUnlessDuplicate(message, probe)),
      update: (id, changes) => use((store) => store.update(id, changes)),
      findByReference: (reference) => use((store) => store.findByReference(reference)),
      page: (query) => use((store) => store.page(query)),
      unacknowledged: (accountId) => use((store) => store.unacknowledged(accountId)),
      conversations: (accountId, limit) => use((store) => store.conversations(accountId, limit)),
      markRead: (accountId, conversation, upTo) =>
        use((store) => store.markRead(accountId, conversation, upTo)),
      syncState: (accountId) => use((store) => store.syncState(accountId)),
      saveSyncState: (accountId, state) => use((store) => store.saveSyncState(accountId, state)),
      archiveComplete: (accountId, conversation) =>
        use((store) => store.archiveComplete(accountId, conversation)),
      setArchiveComplete: (accountId, conversation) =>
        use((store) => store.setArchiveComplete(accountId, conversation)),
      deleteConversation: (accountId, conversation) =>
        use((store) => store.deleteConversation(accountId, conversation)),
    },
    search: (query) => use((store) => store.search(query)),
    deleteAccount: (accountId) => use((store) => store.deleteAccount(accountId)),
    close: () =>
      opening.then(
        (store) =>
          store
            .close()
            .catch((error: unknown) =>
              log.warn("could not close the message history cleanly", { error: errorName(error) }),
            ),
        () => undefined, // it never opened: nothing to close
      ),
  };
}
