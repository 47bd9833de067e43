import type { ConversationLimits } from "./conversation-store";
import { MemoryHistory } from "./memory-history";
import type { ChatHistory, DuplicateProbe, HistoryPage, MessageRecord } from "./message-record";

/**
 * History for an account that keeps none on this computer: its messages live in memory until Wren
 * quits. What it stored while it still kept history stays stored, and deleting a conversation
 * deletes that too, as the person is promised ("every message … it keeps on this computer").
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

  page(query: HistoryPage): Promise<MessageRecord[]> {
    return this.#memory.page(query);
  }

  async deleteConversation(accountId: string, conversation: string): Promise<number> {
    const [inMemory, stored] = await Promise.all([
      this.#memory.deleteConversation(accountId, conversation),
      this.stored.deleteConversation(accountId, conversation),
    ]);
    return inMemory + stored;
  }
}
