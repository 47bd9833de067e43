// A message as Wren keeps it, and what the chat feature asks of wherever it is kept: the
// database (main/store) for accounts that keep history, memory for those that do not.

import { UNREAD_COUNTED, type Attachment, type DeliveryState } from "../../../../preload/contract";

export type { Attachment, DeliveryState };

/**
 * The order outgoing states go in. A state only ever moves forward: a receipt that arrives before
 * the server's acknowledgement leaves the message "delivered".
 */
export const DELIVERY_ORDER: readonly DeliveryState[] = [
  "queued",
  "sent",
  "acked",
  "delivered",
  "displayed",
];

/** Whether `next` is further along than `current` (an incoming message's state never changes). */
export function advances(current: DeliveryState, next: DeliveryState): boolean {
  return DELIVERY_ORDER.indexOf(next) > DELIVERY_ORDER.indexOf(current) && current !== "received";
}

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
  /** When its sender last corrected it (XEP-0308): `body` is then the corrected text. */
  editedAt: number | null;
  /** The file it carries (its body is then the file's URL), or null. */
  attachment: Attachment | null;
}

/** What `update` may change on a stored message. */
export type MessageChanges = Partial<
  Pick<MessageRecord, "archiveId" | "archiveBy" | "serverAt" | "state" | "body" | "editedAt">
>;

/** Where the account's catch-up with its server archive (XEP-0313) got to. */
export interface SyncState {
  /** The archive id (RSM) of the newest archived message taken in; null when the archive was empty. */
  archiveId: string | null;
  /** That message's archive time: where a catch-up starts when the archive forgot the id. */
  archiveAt: number | null;
}

/** A conversation as the list of conversations shows it. */
export interface ConversationRecord {
  conversation: string;
  last: MessageRecord;
  /** Incoming messages after the read mark (counted up to MAX_UNREAD). */
  unread: number;
}

/** Unread counts stop here (the page then says "more than 9,999"). */
export const MAX_UNREAD = UNREAD_COUNTED;

export interface HistoryPage {
  accountId: string;
  conversation: string;
  /**
   * The page ends just before the message with this id; the newest messages when absent. An id
   * that is not in this conversation gives an empty page. At most one of before, after, around.
   */
  before?: string;
  /** The page starts just after the message with this id (the oldest ones after it). */
  after?: string;
  /** The page holds this message and about as many messages before it as after it. */
  around?: string;
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
   * both carry an id of the same kind and the ids differ (then they are two messages). A negative
   * window leaves this rule out (the ids are known to suffice).
   */
  timestamp: number;
  windowMs: number;
}

/** What receipts (XEP-0184), markers (XEP-0333) and corrections (XEP-0308) point at. */
export interface MessageReference {
  accountId: string;
  conversation: string;
  direction: "in" | "out";
  /** The id the other side knows the message by: its origin-id, else its stanza's id. */
  ref: string;
}

/** Where one account's conversations are kept. */
export interface ChatHistory {
  add(message: MessageRecord): Promise<void>;
  findDuplicate(probe: DuplicateProbe): Promise<MessageRecord | null>;
  /**
   * Stores `message` unless `probe` finds it already stored: resolves with that duplicate (and
   * stores nothing), or null once stored. Optional: where it exists, many calls made in one tick
   * cost one round trip, and messages of the same batch count as stored for each other.
   */
  addUnlessDuplicate?(message: MessageRecord, probe: DuplicateProbe): Promise<MessageRecord | null>;
  /**
   * Changes fields of a stored message; an unknown id changes nothing. `state` only moves forward
   * (see advances); a change that would move it back leaves it. Resolves with the message as it
   * now is, or null when there is none.
   */
  update(id: string, changes: MessageChanges): Promise<MessageRecord | null>;
  /** The newest message of the conversation, in that direction, with that origin-id or stanza id. */
  findByReference(reference: MessageReference): Promise<MessageRecord | null>;
  /** Up to `limit` messages of one conversation, oldest first. */
  page(query: HistoryPage): Promise<MessageRecord[]>;
  /** The account's outgoing messages the server has not acknowledged ("queued" or "sent"), oldest first. */
  unacknowledged(accountId: string): Promise<MessageRecord[]>;
  /** The account's conversations, most recent (by last message) first. */
  conversations(accountId: string, limit: number): Promise<ConversationRecord[]>;
  /** Incoming messages up to and including `upTo` (an id) count as read; later ones stay unread. */
  markRead(accountId: string, conversation: string, upTo: string): Promise<void>;
  /** Where the account's archive catch-up got to; null before its first one. */
  syncState(accountId: string): Promise<SyncState | null>;
  saveSyncState(accountId: string, state: SyncState): Promise<void>;
  /**
   * Whether the server's archive has been read back to the start of the conversation (nothing
   * older to fetch): false until a backwards query reached the archive's first message.
   */
  archiveComplete(accountId: string, conversation: string): Promise<boolean>;
  setArchiveComplete(accountId: string, conversation: string): Promise<void>;
  /** Deletes one conversation's history (and its read mark); resolves with how many messages went. */
  deleteConversation(accountId: string, conversation: string): Promise<number>;
}
