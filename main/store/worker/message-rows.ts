import type { Statement } from "better-sqlite3";
import type { Attachment } from "../../core/features/chat/message-record";
import type { StoredMessage } from "../message-store";

// A message as the messages table holds it: the columns read back (COLUMNS, aliased "m"), the
// row an insert writes (batchRow), and the attachment kept as JSON between the two.

// The columns of StoredMessage, under its own names.
export const COLUMNS = `m.id, m.account_id AS accountId, m.conversation, m.kind, m.direction, m.sender,
  m.body, m.sent_at AS sentAt, m.received_at AS receivedAt, m.server_at AS serverAt, m.timestamp,
  m.stanza_id AS stanzaId, m.origin_id AS originId, m.archive_id AS archiveId,
  m.archive_by AS archiveBy, m.state, m.corrects_id AS correctsId, m.edited_at AS editedAt,
  m.attachment`;

/** A message as one row of INSERT_BATCH's array: its columns in the order they are inserted. */
export function batchRow(m: StoredMessage): unknown[] {
  return [
    m.id,
    m.accountId,
    m.conversation,
    m.kind,
    m.direction,
    m.sender,
    wellFormedText(m.body),
    m.sentAt,
    m.receivedAt,
    m.serverAt,
    m.timestamp,
    m.stanzaId,
    m.originId,
    m.archiveId,
    m.archiveBy,
    m.state,
    m.correctsId,
    m.editedAt ?? null,
    m.attachment ? JSON.stringify(m.attachment) : null,
  ];
}

/** A row of COLUMNS as a message: its attachment is stored as JSON. */
function toMessage(row: StoredMessage): StoredMessage {
  const stored = row.attachment as unknown;
  row.attachment = typeof stored === "string" ? parseAttachment(stored) : null;
  return row;
}

function parseAttachment(json: string): Attachment | null {
  try {
    const value = JSON.parse(json) as Partial<Attachment> | null;
    if (typeof value?.url !== "string" || typeof value.name !== "string") return null;
    return {
      url: value.url,
      name: value.name,
      size: typeof value.size === "number" ? value.size : null,
      mediaType: typeof value.mediaType === "string" ? value.mediaType : null,
    };
  } catch {
    return null;
  }
}

/** A statement over COLUMNS whose rows come back as messages (see toMessage). */
export function readsMessages<P extends unknown[]>(statement: Statement<P, StoredMessage>) {
  return {
    get(...params: P): StoredMessage | undefined {
      const row = statement.get(...params);
      return row && toMessage(row);
    },
    all(...params: P): StoredMessage[] {
      const rows = statement.all(...params);
      for (const row of rows) toMessage(row);
      return rows;
    },
  };
}

// JSON carries a lone UTF-16 surrogate (a body cut in the middle of an emoji, say) as an escape
// that SQLite would store as broken UTF-8; a bound parameter becomes U+FFFD, and so does this.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

export function wellFormedText(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, "\uFFFD") : text;
}
