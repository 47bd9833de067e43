import { ConversationStore, type ConversationLimits } from "./conversation-store";
import type { ChatHistory, DuplicateProbe, HistoryPage, MessageRecord } from "./message-record";

/**
 * History in memory only, for accounts that keep none on disk, and for tests: what this run saw,
 * within bounds, under the same rules as the database.
 */
export class MemoryHistory implements ChatHistory {
  readonly #conversations: ConversationStore;

  constructor(limits: Partial<ConversationLimits> = {}) {
    this.#conversations = new ConversationStore(limits);
  }

  async add(message: MessageRecord): Promise<void> {
    this.#conversations.add(message);
  }

  async findDuplicate(probe: DuplicateProbe): Promise<MessageRecord | null> {
    return this.#conversations.findDuplicate(probe);
  }

  async page(query: HistoryPage): Promise<MessageRecord[]> {
    return this.#conversations.page(query.conversation, query.before, query.limit);
  }

  async deleteConversation(_accountId: string, conversation: string): Promise<number> {
    return this.#conversations.delete(conversation);
  }
}
