import type { ConversationLimits } from "./conversation-store";
import { MemoryHistory } from "./memory-history";
import type { ChatHistory, MessageChanges, MessageRecord } from "./message-record";

/**
 * History for an account that keeps none on this computer: its messages live in memory until Wren
 * quits. What it stored while it still kept history stays stored, and deleting a conversation
 * deletes that too (its read mark as well), as the person is promised ("every message … it keeps
 * on this computer"). Messages it left waiting to be sent there still go out, and how far they got
 * is recorded there; nothing else is written to the database for this account.
 */
export class ThisRunHistory extends MemoryHistory {
  /** Messages left waiting in the database from before history was turned off. */
  readonly #waitingThere = new Set<string>();

  constructor(
    /** Where the account kept its messages before: the database. */
    private readonly stored: ChatHistory,
    limits: Partial<ConversationLimits> = {},
  ) {
    super(limits);
  }

  override async unacknowledged(accountId: string): Promise<MessageRecord[]> {
    const [here, there] = await Promise.all([
      super.unacknowledged(accountId),
      this.stored.unacknowledged(accountId),
    ]);
    for (const record of there) this.#waitingThere.add(record.id);
    return [...there, ...here].sort((a, b) => a.timestamp - b.timestamp);
  }

  override async update(id: string, changes: MessageChanges): Promise<MessageRecord | null> {
    if (this.#waitingThere.has(id) && changes.state !== undefined) {
      return this.stored.update(id, { state: changes.state });
    }
    return super.update(id, changes);
  }

  override async deleteConversation(accountId: string, conversation: string): Promise<number> {
    const [inMemory, stored] = await Promise.all([
      super.deleteConversation(accountId, conversation),
      this.stored.deleteConversation(accountId, conversation),
    ]);
    return inMemory + stored;
  }
}
