import { ConversationStore, type ConversationLimits } from "./conversation-store";
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
 * History in memory only, for accounts that keep none on disk, and for tests: what this run saw,
 * within bounds (each account's own), under the same rules as the database.
 */
export class MemoryHistory implements ChatHistory {
  readonly #accounts = new Map<string, ConversationStore>();
  readonly #syncStates = new Map<string, SyncState>();
  readonly #limits: Partial<ConversationLimits>;

  constructor(limits: Partial<ConversationLimits> = {}) {
    this.#limits = limits;
  }

  async add(message: MessageRecord): Promise<void> {
    this.#account(message.accountId).add(message);
  }

  async findDuplicate(probe: DuplicateProbe): Promise<MessageRecord | null> {
    return this.#accounts.get(probe.accountId)?.findDuplicate(probe) ?? null;
  }

  /** One step, as in the database: a copy arriving meanwhile finds this one stored. */
  async addUnlessDuplicate(
    message: MessageRecord,
    probe: DuplicateProbe,
  ): Promise<MessageRecord | null> {
    const duplicate = this.#accounts.get(probe.accountId)?.findDuplicate(probe) ?? null;
    if (!duplicate) this.#account(message.accountId).add(message);
    return duplicate;
  }

  async update(id: string, changes: MessageChanges): Promise<MessageRecord | null> {
    for (const conversations of this.#accounts.values()) {
      const updated = conversations.update(id, changes);
      if (updated) return updated;
    }
    return null;
  }

  async findByReference(reference: MessageReference): Promise<MessageRecord | null> {
    return this.#accounts.get(reference.accountId)?.findByReference(reference) ?? null;
  }

  async page({ accountId, conversation, before, after, around, limit }: HistoryPage) {
    const cursor = { before, after, around };
    return this.#accounts.get(accountId)?.page(conversation, cursor, limit) ?? [];
  }

  async unacknowledged(accountId: string): Promise<MessageRecord[]> {
    return this.#accounts.get(accountId)?.unacknowledged() ?? [];
  }

  async conversations(accountId: string, limit: number): Promise<ConversationRecord[]> {
    return this.#accounts.get(accountId)?.conversations(limit) ?? [];
  }

  async markRead(accountId: string, conversation: string, upTo: string): Promise<void> {
    this.#accounts.get(accountId)?.markRead(conversation, upTo);
  }

  async syncState(accountId: string): Promise<SyncState | null> {
    const state = this.#syncStates.get(accountId);
    return state ? { ...state } : null;
  }

  async saveSyncState(accountId: string, state: SyncState): Promise<void> {
    this.#syncStates.set(accountId, { archiveId: state.archiveId, archiveAt: state.archiveAt });
  }

  async archiveComplete(accountId: string, conversation: string): Promise<boolean> {
    return this.#accounts.get(accountId)?.archiveComplete(conversation) ?? false;
  }

  async setArchiveComplete(accountId: string, conversation: string): Promise<void> {
    this.#account(accountId).setArchiveComplete(conversation);
  }

  async deleteConversation(accountId: string, conversation: string): Promise<number> {
    return this.#accounts.get(accountId)?.delete(conversation) ?? 0;
  }

  #account(accountId: string): ConversationStore {
    let conversations = this.#accounts.get(accountId);
    if (!conversations) {
      conversations = new ConversationStore(this.#limits);
      this.#accounts.set(accountId, conversations);
    }
    return conversations;
  }
}
