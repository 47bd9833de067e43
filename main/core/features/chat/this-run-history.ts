import type { ConversationLimits } from "./conversation-store";
import { MemoryHistory } from "./memory-history";
import type {
  ChatHistory,
  ConversationRecord,
  DuplicateProbe,
  HistoryPage,
  MessageChanges,
  MessageRecord,
  MessageReference,
  SyncState,
} from "./message-record";

/**
 * History for an account that keeps none on this computer: its messages live in memory until Wren
 * quits. What it stored while it still kept history stays stored, and deleting a conversation
 * deletes that too (its read mark as well), as the person is promised ("every message … it keeps
 * on this computer"). Everything else — changes, read marks, the archive's sync state — stays in
 * memory: nothing new is written to the database for this account.
 */
export class ThisRunHistory implements ChatHistory {
  readonly #memory: MemoryHistory;

  constructor(
    /** Where the account kept its messages before: the database. */
    private readonly stored: ChatHistory,
    limits: Partial<ConversationLimits> = {},
  ) {
    this.#memory = new MemoryHistory(limits);
  }

  add(message: MessageRecord): Promise<void> {
    return this.#memory.add(message);
  }

  findDuplicate(probe: DuplicateProbe): Promise<MessageRecord | null> {
    return this.#memory.findDuplicate(probe);
  }

  addUnlessDuplicate(message: MessageRecord, probe: DuplicateProbe): Promise<MessageRecord | null> {
    return this.#memory.addUnlessDuplicate(message, probe);
  }

  update(id: string, changes: MessageChanges): Promise<MessageRecord | null> {
    return this.#memory.update(id, changes);
  }

  findByReference(reference: MessageReference): Promise<MessageRecord | null> {
    return this.#memory.findByReference(reference);
  }

  page(query: HistoryPage): Promise<MessageRecord[]> {
    return this.#memory.page(query);
  }

  unacknowledged(accountId: string): Promise<MessageRecord[]> {
    return this.#memory.unacknowledged(accountId);
  }

  conversations(accountId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#memory.conversations(accountId, limit);
  }

  markRead(accountId: string, conversation: string, upTo: string): Promise<void> {
    return this.#memory.markRead(accountId, conversation, upTo);
  }

  syncState(accountId: string): Promise<SyncState | null> {
    return this.#memory.syncState(accountId);
  }

  saveSyncState(accountId: string, state: SyncState): Promise<void> {
    return this.#memory.saveSyncState(accountId, state);
  }

  archiveComplete(accountId: string, conversation: string): Promise<boolean> {
    return this.#memory.archiveComplete(accountId, conversation);
  }

  setArchiveComplete(accountId: string, conversation: string): Promise<void> {
    return this.#memory.setArchiveComplete(accountId, conversation);
  }

  async deleteConversation(accountId: string, conversation: string): Promise<number> {
    const [inMemory, stored] = await Promise.all([
      this.#memory.deleteConversation(accountId, conversation),
      this.stored.deleteConversation(accountId, conversation),
    ]);
    return inMemory + stored;
  }
}
