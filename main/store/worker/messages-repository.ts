import type { Database } from "better-sqlite3";
import type {
  DuplicateProbe,
  HistoryPage,
  SearchQuery,
  StoredMessage,
  StoredMessageChanges,
} from "../message-store";
import {
  DUPLICATE_RULES,
  ruleApplies,
  type DuplicateRule,
  type UnwrittenMessages,
} from "./duplicate-rules";
import { matchExpression } from "./match-expression";

/** The most messages one page or one search returns, whatever the caller asks for. */
export const MAX_LIMIT = 500;

// The columns of StoredMessage, under its own names.
const COLUMNS = `m.id, m.account_id AS accountId, m.conversation, m.kind, m.direction, m.sender,
  m.body, m.sent_at AS sentAt, m.received_at AS receivedAt, m.server_at AS serverAt, m.timestamp,
  m.stanza_id AS stanzaId, m.origin_id AS originId, m.archive_id AS archiveId,
  m.archive_by AS archiveBy, m.state, m.corrects_id AS correctsId`;

// search_key = (timestamp in ms, clamped to 0 … 2^43 - 1, i.e. until the year 2248) × 2^20
// + the number of messages stored before with the same millisecond. Unique, and in the order of
// (timestamp, seq), up to 2^20 messages with the same millisecond; past that an insert fails
// rather than break the order. SQLite reads `messages` in the subquery as it was before this
// statement; row_number() counts the batch's own messages with the same millisecond.
const KEY_SLOTS = 1_048_576; // 2^20
const MAX_KEY_TIME = 8_796_093_022_207; // 2^43 - 1
const MAX_INT64 = 9_223_372_036_854_775_807n;

// The batch comes as one JSON array of StoredMessage, so that however many messages it holds it
// is one statement, and FTS5 writes its pending terms once (not once per row, as it would with
// one statement per message through the insert trigger).
const INSERT_BATCH = `
WITH batch AS (
  SELECT key AS position, value AS m,
    CAST(min(max(value ->> 'timestamp', 0), ${MAX_KEY_TIME}) AS INTEGER) * ${KEY_SLOTS} AS base
  FROM json_each(?)
)
INSERT INTO messages (id, account_id, conversation, kind, direction, sender, body, sent_at,
  received_at, server_at, timestamp, stanza_id, origin_id, archive_id, archive_by, state,
  corrects_id, search_key)
SELECT m ->> 'id', m ->> 'accountId', m ->> 'conversation', m ->> 'kind', m ->> 'direction',
  m ->> 'sender', m ->> 'body', m ->> 'sentAt', m ->> 'receivedAt', m ->> 'serverAt',
  m ->> 'timestamp', m ->> 'stanzaId', m ->> 'originId', m ->> 'archiveId', m ->> 'archiveBy',
  m ->> 'state', m ->> 'correctsId',
  base
    + coalesce(
        (SELECT max(search_key) FROM messages
          WHERE search_key BETWEEN base AND base + ${KEY_SLOTS - 1}) - base + 1,
        0)
    + row_number() OVER (PARTITION BY base ORDER BY position) - 1
FROM batch
ORDER BY position`;

export interface MessagesRepository {
  /** Inserts the messages, in order, in one statement (inside the caller's transaction). */
  insert(messages: readonly StoredMessage[]): void;
  /**
   * The stored message `probe` describes, trying the rules in order; for each rule, `unwritten`
   * (messages of this batch not inserted yet) is asked after the database.
   */
  findDuplicate(probe: DuplicateProbe, unwritten?: UnwrittenMessages): StoredMessage | null;
  update(id: string, changes: StoredMessageChanges): boolean;
  page(query: HistoryPage): StoredMessage[];
  search(query: SearchQuery): StoredMessage[];
  deleteConversation(accountId: string, conversation: string): number;
  deleteAccount(accountId: string): number;
}

/** Every statement is prepared here, once, when the worker opens the database. */
export function createMessagesRepository(db: Database): MessagesRepository {
  const insertBatch = db.prepare<[string]>(INSERT_BATCH);

  // Deduplication, one statement per rule, tried in this order. Equal keys sit in an index in
  // rowid order, so the first row is the first stored; an ORDER BY would add a sorter, which
  // made these lookups four times slower.
  const byArchiveId = db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.archive_id = @archiveId
    LIMIT 1`);
  const byOriginId = db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND m.origin_id = @originId AND m.sender = @sender AND m.body = @body
    LIMIT 1`);
  const byStanzaId = db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND m.stanza_id = @stanzaId AND m.sender = @sender AND m.body = @body
      AND m.direction = @direction
    LIMIT 1`);
  // The last resort, for copies without ids in common. Two messages that both carry an id of the
  // same kind, and different ones, are two messages (an "ok" sent twice in a minute), never one.
  // The nearest in time is picked below, not by ORDER BY (see above).
  const byTime = db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND m.timestamp BETWEEN @timestamp - @windowMs AND @timestamp + @windowMs
      AND m.sender = @sender AND m.body = @body
      AND (@archiveId IS NULL OR m.archive_id IS NULL OR m.archive_id = @archiveId)
      AND (@originId IS NULL OR m.origin_id IS NULL OR m.origin_id = @originId)
      AND (@stanzaId IS NULL OR m.stanza_id IS NULL OR m.stanza_id = @stanzaId)`);
  const storedBy: Record<DuplicateRule, (params: DuplicateParams) => StoredMessage | undefined> = {
    archiveId: (params) => byArchiveId.get(params),
    originId: (params) => byOriginId.get(params),
    stanzaId: (params) => byStanzaId.get(params),
    time: (params) => nearest(byTime.all(params), params.timestamp) ?? undefined,
  };

  const updateOne = db.prepare<[UpdateParams]>(`
    UPDATE messages SET
      archive_id = iif(@setArchiveId, @archiveId, archive_id),
      archive_by = iif(@setArchiveBy, @archiveBy, archive_by),
      server_at = iif(@setServerAt, @serverAt, server_at),
      state = iif(@setState, @state, state)
    WHERE id = @id`);

  // A page ends just before `before` in the order (timestamp, seq); it is read newest first
  // through messages_by_conversation, and turned round.
  const cursor = db.prepare<[{ id: string }], Cursor>(
    "SELECT account_id AS accountId, conversation, timestamp, seq, search_key AS key FROM messages WHERE id = @id",
  );
  const pageOf = db.prepare<[PageParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
    ORDER BY m.timestamp DESC, m.seq DESC LIMIT @limit`);
  const pageBefore = db.prepare<[PageParams & { timestamp: number; seq: number }], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND (m.timestamp, m.seq) < (@timestamp, @seq)
    ORDER BY m.timestamp DESC, m.seq DESC LIMIT @limit`);

  // The index is ordered by search_key, which is the order (timestamp, seq): reading it backwards
  // from `below` gives the newest matches first, and it stops after `limit`. CROSS JOIN keeps
  // the index the outer loop. The filters are in the MATCH expression (scope tokens); the same
  // conditions on the row make sure of them.
  const searchStatement = db.prepare<[SearchParams], StoredMessage>(`
    SELECT ${COLUMNS}
    FROM messages_fts f CROSS JOIN messages m ON m.search_key = f.rowid
    WHERE messages_fts MATCH @match AND f.rowid < @below
      AND (@accountId IS NULL OR m.account_id = @accountId)
      AND (@conversation IS NULL OR m.conversation = @conversation)
    ORDER BY f.rowid DESC LIMIT @limit`);
  // No JavaScript number holds every search_key exactly: the cursor reads it as a BigInt.
  cursor.safeIntegers(true);

  const deleteConversation = db.prepare<[{ accountId: string; conversation: string }]>(
    "DELETE FROM messages WHERE account_id = @accountId AND conversation = @conversation",
  );
  const deleteAccount = db.prepare<[{ accountId: string }]>(
    "DELETE FROM messages WHERE account_id = @accountId",
  );

  return {
    insert(messages) {
      if (messages.length === 0) return;
      insertBatch.run(JSON.stringify(messages.map(wellFormed)));
    },

    findDuplicate(probe, unwritten) {
      const params = duplicateParams(probe);
      for (const rule of DUPLICATE_RULES) {
        if (!ruleApplies(rule, probe)) continue;
        const found =
          storedBy[rule](params) ?? nearest(unwritten?.find(rule, probe) ?? [], probe.timestamp);
        if (found) return found;
      }
      return null;
    },

    update(id, changes) {
      const has = (field: keyof StoredMessageChanges) => (changes[field] !== undefined ? 1 : 0);
      const result = updateOne.run({
        id,
        setArchiveId: has("archiveId"),
        archiveId: changes.archiveId ?? null,
        setArchiveBy: has("archiveBy"),
        archiveBy: changes.archiveBy ?? null,
        setServerAt: has("serverAt"),
        serverAt: changes.serverAt ?? null,
        setState: has("state"),
        state: changes.state ?? null,
      });
      return result.changes > 0;
    },

    page({ accountId, conversation, before, limit }) {
      const bounded = boundLimit(limit);
      if (bounded === 0) return [];
      let rows: StoredMessage[];
      if (before === undefined) {
        rows = pageOf.all({ accountId, conversation, limit: bounded });
      } else {
        const at = cursor.get({ id: before });
        if (!at || at.accountId !== accountId || at.conversation !== conversation) return [];
        rows = pageBefore.all({
          accountId,
          conversation,
          limit: bounded,
          timestamp: Number(at.timestamp),
          seq: Number(at.seq),
        });
      }
      return rows.reverse();
    },

    search({ text, accountId, conversation, before, limit }) {
      const bounded = boundLimit(limit);
      const match = matchExpression(text, { accountId, conversation });
      if (bounded === 0 || match === null) return [];
      let below = MAX_INT64; // past any key
      if (before !== undefined) {
        const at = cursor.get({ id: before });
        if (!at) return [];
        below = at.key;
      }
      return searchStatement.all({
        match,
        below,
        accountId: accountId ?? null,
        conversation: conversation ?? null,
        limit: bounded,
      });
    },

    deleteConversation(accountId, conversation) {
      return deleteConversation.run({ accountId, conversation }).changes;
    },

    deleteAccount(accountId) {
      return deleteAccount.run({ accountId }).changes;
    },
  };
}

interface DuplicateParams {
  accountId: string;
  conversation: string;
  direction: string;
  sender: string;
  body: string;
  archiveId: string | null;
  originId: string | null;
  stanzaId: string | null;
  timestamp: number;
  windowMs: number;
}

interface Cursor {
  accountId: string;
  conversation: string;
  timestamp: bigint;
  seq: bigint;
  key: bigint;
}

interface UpdateParams {
  id: string;
  setArchiveId: number;
  archiveId: string | null;
  setArchiveBy: number;
  archiveBy: string | null;
  setServerAt: number;
  serverAt: number | null;
  setState: number;
  state: string | null;
}

interface PageParams {
  accountId: string;
  conversation: string;
  limit: number;
}

interface SearchParams {
  match: string;
  below: bigint;
  accountId: string | null;
  conversation: string | null;
  limit: number;
}

function duplicateParams(probe: DuplicateProbe): DuplicateParams {
  return {
    accountId: probe.accountId,
    conversation: probe.conversation,
    direction: probe.direction,
    sender: probe.sender,
    body: probe.body,
    archiveId: probe.archiveId ?? null,
    originId: probe.originId ?? null,
    stanzaId: probe.stanzaId ?? null,
    timestamp: probe.timestamp,
    windowMs: probe.windowMs,
  };
}

/** The message nearest `timestamp`; the first stored of equals. */
export function nearest(
  messages: readonly StoredMessage[],
  timestamp: number,
): StoredMessage | null {
  let best: StoredMessage | null = null;
  for (const message of messages) {
    if (!best || Math.abs(message.timestamp - timestamp) < Math.abs(best.timestamp - timestamp)) {
      best = message;
    }
  }
  return best;
}

function boundLimit(limit: number): number {
  if (!Number.isFinite(limit)) throw new RangeError("limit must be a finite number");
  return Math.min(MAX_LIMIT, Math.max(0, Math.floor(limit)));
}

// JSON carries a lone UTF-16 surrogate (a body cut in the middle of an emoji, say) as an escape
// that SQLite would store as broken UTF-8; a bound parameter becomes U+FFFD, and so does this.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

function wellFormed(message: StoredMessage): StoredMessage {
  if (!LONE_SURROGATE.test(message.body)) return message;
  return { ...message, body: message.body.replace(LONE_SURROGATES, "\uFFFD") };
}
