// A message as Wren keeps it, and what the chat feature asks of wherever it is kept: the
// database (main/store) for accounts that keep history, memory for those that do not.

/** How far a message got. Outgoing: queued → sent → acked (XEP-0198) → delivered (XEP-0184) → displayed (XEP-0333). */
export type DeliveryState = "queued" | "sent" | "acked" | "delivered" | "displayed" | "received";

/** A message as stored. Times are milliseconds since the epoch. */
export interface MessageRecord {
  /**
   * Wren's own id: unique, and the cursor history is paged by. Made by newMessageId() (UUIDv7):
   * ids in time order are appended to the database's index, which keeps storing cheap.
   */
  id: string;
  accountId: string;
  /** The other party's bare JID (a room's JID for group chats, later). */
  conversation: string;
  /** "chat" today; "groupchat" is for the rooms of a later issue. */
  kind: "chat" | "groupchat";
  direction: "in" | "out";
  /** Who wrote it: a bare JID (or a room occupant's full JID). */
  sender: string;
  body: string;
  /** The sender's own time (XEP-0203 delay), when it gave one. */
  sentAt: number | null;
  /** When this device got it (or, for our own, wrote it). */
  receivedAt: number;
  /** The archive's time (XEP-0313), for archived messages. */
  serverAt: number | null;
  /** The time the conversation is ordered by: sentAt, else serverAt, else receivedAt. */
  timestamp: number;
  /** The `id` attribute of the stanza (sender's choice, not unique). */
  stanzaId: string | null;
  /** XEP-0359 origin-id. */
  originId: string | null;
  /** XEP-0359 stanza-id given by the archive `archiveBy` (trusted only from our own account). */
  archiveId: string | null;
  archiveBy: string | null;
  state: DeliveryState;
  /**
   * XEP-0308: the id (Wren's) of the message this one corrects. It must name a stored message
   * (the database refuses anything else); it becomes null if that message is deleted.
   */
  correctsId: string | null;
}

export interface HistoryPage {
  accountId: string;
  conversation: string;
  /**
   * The page ends just before the message with this id; the newest messages when absent. An id
   * that is not in this conversation gives an empty page.
   */
  before?: string;
  /** At most 500. */
  limit: number;
}

/** Identifies a message for deduplication, in the order the rules are tried. */
export interface DuplicateProbe {
  accountId: string;
  conversation: string;
  direction: "in" | "out";
  sender: string;
  body: string;
  /** A stanza-id from our own archive (only passed when it is trusted). */
  archiveId?: string | null;
  originId?: string | null;
  stanzaId?: string | null;
  /**
   * With no id matching: the same sender and body within this window of `timestamp` — unless
   * both carry an id of the same kind and the ids differ (then they are two messages).
   */
  timestamp: number;
  windowMs: number;
}

/** Where one account's conversations are kept. */
export interface ChatHistory {
  add(message: MessageRecord): Promise<void>;
  findDuplicate(probe: DuplicateProbe): Promise<MessageRecord | null>;
  /** Up to `limit` messages of one conversation, oldest first. */
  page(query: HistoryPage): Promise<MessageRecord[]>;
  /** Deletes one conversation's history; resolves with how many messages went. */
  deleteConversation(accountId: string, conversation: string): Promise<number>;
}
