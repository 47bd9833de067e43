import type { ChatMessage, MessageChange } from "../../../../preload/contract";
import type { MessageRecord } from "./message-record";

/** A stored message as the page shows it. */
export function toChatMessage(record: MessageRecord, archived = false): ChatMessage {
  return {
    id: record.id,
    peer: record.conversation,
    direction: record.direction,
    body: record.body,
    timestamp: record.timestamp,
    delayed: record.direction === "in" && record.sentAt !== null,
    state: record.state,
    ...(record.editedAt !== null && { editedAt: record.editedAt }),
    ...(archived && { archived: true }),
    ...(record.attachment && { attachment: record.attachment }),
  };
}

/** What changed on a stored message, as the page is told. */
export function toMessageChange(record: MessageRecord): MessageChange {
  return {
    id: record.id,
    peer: record.conversation,
    state: record.state,
    ...(record.editedAt !== null && { body: record.body, editedAt: record.editedAt }),
  };
}
