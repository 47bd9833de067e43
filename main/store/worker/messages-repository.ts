import type { Database } from "better-sqlite3";
import { applyChanges } from "../../core/features/chat/identity";
import type {
  DuplicateProbe,
  HistoryPage,
  MessageChanges,
  MessageReference,
  SearchQuery,
  StoredMessage,
} from "../message-store";
import {
  DUPLICATE_RULES,
  duplicateParams,
  nearest,
  ruleApplies,
  type DuplicateParams,
  type DuplicateRule,
  type UnwrittenMessages,
} from "./duplicate-rules";
import { matchExpression } from "./match-expression";
import { batchRow, COLUMNS, readsMessages, wellFormedText } from "./message-rows";

/** The most messages one page or one search returns, whatever the caller asks for. */
export const MAX_LIMIT = 500;

// search_key = (timestamp in ms, clamped to 0 … 2^43 - 1, i.e. until the year 2248) × 2^20
// + the number of messages stored before with the same millisecond. Unique, and in the order of
// (timestamp, seq), up to 2^20 messages with the same millisecond; past that an insert fails
// rather than break the order. SQLite reads `messages` in the subquery as it was before this
// statement; row_number() counts the batch's own messages with the same millisecond.
const KEY_SLOTS = 1_048_576; // 2^20
const MAX_KEY_TIME = 8_796_093_022_207; // 2^43 - 1
const MAX_INT64 = 9_223_372_036_854_775_807n;

// The batch comes as one JSON array, so that however many messages it holds it is one statement,
// and FTS5 writes its pending terms once (not once per row, as it would with one statement per
// message through the insert trigger). Each message is an array of its columns (batchRow):
// jsonb_each hands each one over in SQLite's binary JSON, where reading a column by position
// costs less than parsing text and finding a key; this made storing a sixth cheaper.
const INSERT_BATCH = `
WITH batch AS (
  SELECT key AS position, value AS m,
    CAST(min(max(value ->> 10, 0), ${MAX_KEY_TIME}) AS INTEGER) * ${KEY_SLOTS} AS base
  FROM jsonb_each(?)
)
INSERT INTO messages (id, account_id, conversation, kind, direction, sender, body, sent_at,
  received_at, server_at, timestamp, stanza_id, origin_id, archive_id, archive_by, state,
  corrects_id, edited_at, attachment, search_key)
SELECT m ->> 0, m ->> 1, m ->> 2, m ->> 3, m ->> 4, m ->> 5, m ->> 6, m ->> 7, m ->> 8, m ->> 9,
  m ->> 10, m ->> 11, m ->> 12, m ->> 13, m ->> 14, m ->> 15, m ->> 16, m ->> 17, m ->> 18,
  base
    + coalesce(
        (SELECT max(search_key) FROM messages
          WHERE search_key BETWEEN base AND base + ${KEY_SLOTS - 1}) - base + 1,
        0)
    + row_number() OVER (PARTITION BY base ORDER BY position) - 1
FROM batch
ORDER BY position`;

export interface MessagesRepository {
  /**
   * Inserts the messages, in order, in one statement (inside the caller's transaction). Returns
   * the seq they come after: the batch is every row with a greater one.
   */
  insert(messages: readonly StoredMessage[]): number;
  /**
   * The stored message `probe` describes, trying the rules in order; for each rule, `unwritten`
   * (messages of this batch not inserted yet) is asked after the database.
   */
  findDuplicate(probe: DuplicateProbe, unwritten?: UnwrittenMessages): StoredMessage | null;
  /** See ChatHistory.update: a state never moves back; null for an unknown id. */
  update(id: string, changes: MessageChanges): StoredMessage | null;
  findByReference(reference: MessageReference): StoredMessage | null;
  /** Where a message is: its conversation and its place in it. */
  position(id: string): Position | null;
  page(query: HistoryPage): StoredMessage[];
  /** Incoming messages of a conversation after `after`, counted up to `cap`. */
  countIncomingAfter(accountId: string, conversation: string, after: Position, cap: number): number;
  unacknowledged(accountId: string): StoredMessage[];
  search(query: SearchQuery): StoredMessage[];
  deleteConversation(accountId: string, conversation: string): number;
  deleteAccount(accountId: string): number;
}

/** A message's place: in the order (timestamp, seq), which its search_key `key` sorts like. */
export interface Position {
  accountId: string;
  conversation: string;
  timestamp: number;
  seq: number;
  key: bigint;
}

/** Every statement is prepared here, once, when the worker opens the database. */
export function createMessagesRepository(db: Database): MessagesRepository {
  const insertBatch = db.prepare<[string]>(INSERT_BATCH);
  const lastSeq = db.prepare<[], number>("SELECT coalesce(max(seq), 0) FROM messages").pluck();

  // Deduplication, one statement per rule, tried in this order. Equal keys sit in an index in
  // rowid order, so the first row is the first stored; an ORDER BY would add a sorter, which
  // made these lookups four times slower. Each finds its few rows through the id's short key
  // (0003-short-id-keys.ts); the unary + keeps SQLite from walking the conversation's run of
  // messages_by_conversation instead, which its equality on two columns would otherwise prefer.
  const byArchiveId = readsMessages(
    db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE substr(m.archive_id, -8) = substr(@archiveId, -8) AND m.archive_id = @archiveId
      AND +m.account_id = @accountId
    LIMIT 1`),
  );
  const byOriginId = readsMessages(
    db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE substr(m.origin_id, -8) = substr(@originId, -8) AND m.origin_id = @originId
      AND +m.account_id = @accountId AND +m.conversation = @conversation
      AND m.sender = @sender AND m.body = @body
    LIMIT 1`),
  );
  const byStanzaId = readsMessages(
    db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE substr(m.stanza_id, -8) = substr(@stanzaId, -8) AND m.stanza_id = @stanzaId
      AND +m.account_id = @accountId AND +m.conversation = @conversation
      AND m.sender = @sender AND m.body = @body AND m.direction = @direction
    LIMIT 1`),
  );
  // The last resort, for copies without ids in common. Two messages that both carry an id of the
  // same kind, and different ones, are two messages (an "ok" sent twice in a minute), never one.
  // The nearest in time is picked below, not by ORDER BY (see above).
  const byTime = readsMessages(
    db.prepare<[DuplicateParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND m.timestamp BETWEEN @timestamp - @windowMs AND @timestamp + @windowMs
      AND m.sender = @sender AND m.body = @body
      AND (@archiveId IS NULL OR m.archive_id IS NULL OR m.archive_id = @archiveId)
      AND (@originId IS NULL OR m.origin_id IS NULL OR m.origin_id = @originId)
      AND (@stanzaId IS NULL OR m.stanza_id IS NULL OR m.stanza_id = @stanzaId)`),
  );
  const storedBy: Record<DuplicateRule, (params: DuplicateParams) => StoredMessage | undefined> = {
    archiveId: (params) => byArchiveId.get(params),
    originId: (params) => byOriginId.get(params),
    stanzaId: (params) => byStanzaId.get(params),
    time: (params) => nearest(byTime.all(params), params.timestamp) ?? undefined,
  };

  const byId = readsMessages(
    db.prepare<[{ id: string }], StoredMessage>(
      `SELECT ${COLUMNS} FROM messages m WHERE m.id = @id`,
    ),
  );
  const updateOne = db.prepare<[StoredMessage]>(`
    UPDATE messages SET archive_id = @archiveId, archive_by = @archiveBy, server_at = @serverAt,
      state = @state, body = @body, edited_at = @editedAt
    WHERE id = @id`);

  // One lookup by origin-id and one by stanza id (their short keys, as above), then the newest of
  // the few rows found. (Written as an OR, SQLite walked the whole conversation instead.)
  const byReference = readsMessages(
    db.prepare<[MessageReference], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.seq IN (
        SELECT seq FROM messages
        WHERE substr(origin_id, -8) = substr(@ref, -8) AND origin_id = @ref
          AND +account_id = @accountId AND +conversation = @conversation
        UNION ALL
        SELECT seq FROM messages
        WHERE substr(stanza_id, -8) = substr(@ref, -8) AND stanza_id = @ref
          AND +account_id = @accountId AND +conversation = @conversation)
      AND m.direction = @direction
    ORDER BY m.timestamp DESC, m.seq DESC LIMIT 1`),
  );

  // Pages are read through messages_by_conversation in the order (timestamp, seq): newest first
  // from the end or from before a message (and turned round), oldest first from after one.
  const positionOf = db.prepare<[{ id: string }], Position>(
    `SELECT account_id AS accountId, conversation, timestamp, seq, search_key AS key
    FROM messages WHERE id = @id`,
  );
  const pageOf = readsMessages(
    db.prepare<[PageParams], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
    ORDER BY m.timestamp DESC, m.seq DESC LIMIT @limit`),
  );
  const pageBefore = readsMessages(
    db.prepare<[PageParams & At], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND (m.timestamp, m.seq) < (@timestamp, @seq)
    ORDER BY m.timestamp DESC, m.seq DESC LIMIT @limit`),
  );
  const pageAfter = readsMessages(
    db.prepare<[PageParams & At], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.conversation = @conversation
      AND (m.timestamp, m.seq) > (@timestamp, @seq)
    ORDER BY m.timestamp ASC, m.seq ASC LIMIT @limit`),
  );

  // Up to `cap` rows of the conversation's run in messages_by_conversation after the mark.
  const incomingAfter = db.prepare<[PageParams & At], number>(`
    SELECT count(*) FROM (
      SELECT 1 FROM messages m
      WHERE m.account_id = @accountId AND m.conversation = @conversation
        AND (m.timestamp, m.seq) > (@timestamp, @seq) AND m.direction = 'in'
      LIMIT @limit)`);
  incomingAfter.pluck();

  // Through the partial index messages_unacknowledged, which holds only these rows.
  const unacknowledged = readsMessages(
    db.prepare<[{ accountId: string }], StoredMessage>(`
    SELECT ${COLUMNS} FROM messages m
    WHERE m.account_id = @accountId AND m.direction = 'out' AND m.state IN ('queued', 'sent')
    ORDER BY m.timestamp, m.seq`),
  );

  // The index is ordered by search_key, which is the order (timestamp, seq): reading it backwards
  // from `below` gives the newest matches first, and it stops after `limit`. CROSS JOIN keeps
  // the index the outer loop. The filters are in the MATCH expression (scope tokens); the same
  // conditions on the row make sure of them.
  const searchStatement = readsMessages(
    db.prepare<[SearchParams], StoredMessage>(`
    SELECT ${COLUMNS}
    FROM messages_fts f CROSS JOIN messages m ON m.search_key = f.rowid
    WHERE messages_fts MATCH @match AND f.rowid < @below
      AND (@accountId IS NULL OR m.account_id = @accountId)
      AND (@conversation IS NULL OR m.conversation = @conversation)
    ORDER BY f.rowid DESC LIMIT @limit`),
  );
  // No JavaScript number holds every search_key exactly: the position reads it as a BigInt.
  positionOf.safeIntegers(true);

  const deleteConversation = db.prepare<[{ accountId: string; conversation: string }]>(
    "DELETE FROM messages WHERE account_id = @accountId AND conversation = @conversation",
  );
  const deleteAccount = db.prepare<[{ accountId: string }]>(
    "DELETE FROM messages WHERE account_id = @accountId",
  );

  function position(id: string): Position | null {
    const found = positionOf.get({ id }) as RawPosition | undefined;
    if (!found) return null;
    return { ...found, timestamp: Number(found.timestamp), seq: Number(found.seq) };
  }

  /** The message `id` is at, if it is in this conversation. */
  function positionIn(accountId: string, conversation: string, id: string): Position | null {
    const at = position(id);
    return at && at.accountId === accountId && at.conversation === conversation ? at : null;
  }

  return {
    insert(messages) {
      const after = lastSeq.get()!;
      if (messages.length > 0) insertBatch.run(JSON.stringify(messages.map(batchRow)));
      return after;
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
      const current = byId.get({ id });
      if (!current) return null;
      const body = changes.body === undefined ? undefined : wellFormedText(changes.body);
      const next = applyChanges(current, { ...changes, body });
      if (next !== current) updateOne.run(next);
      return next;
    },

    findByReference(reference) {
      return byReference.get(reference) ?? null;
    },

    position,

    page({ accountId, conversation, before, after, around, limit }) {
      const bounded = boundLimit(limit);
      if (bounded === 0) return [];
      const params = { accountId, conversation, limit: bounded };
      const cursor = before ?? after ?? around;
      if (cursor === undefined) return pageOf.all(params).reverse();
      const at = positionIn(accountId, conversation, cursor);
      if (!at) return [];
      const from = { ...params, timestamp: at.timestamp, seq: at.seq };
      if (before !== undefined) return pageBefore.all(from).reverse();
      if (after !== undefined) return pageAfter.all(from);
      // Around: the message itself, and the rest of the page split between both sides.
      const earlier = Math.floor((bounded - 1) / 2);
      const later = bounded - 1 - earlier;
      const message = byId.get({ id: cursor })!;
      return [
        ...(earlier > 0 ? pageBefore.all({ ...from, limit: earlier }).reverse() : []),
        message,
        ...(later > 0 ? pageAfter.all({ ...from, limit: later }) : []),
      ];
    },

    countIncomingAfter(accountId, conversation, after, cap) {
      return incomingAfter.get({
        accountId,
        conversation,
        timestamp: after.timestamp,
        seq: after.seq,
        limit: cap,
      })!;
    },

    unacknowledged(accountId) {
      return unacknowledged.all({ accountId });
    },

    search({ text, accountId, conversation, before, limit }) {
      const bounded = boundLimit(limit);
      const match = matchExpression(text, { accountId, conversation });
      if (bounded === 0 || match === null) return [];
      let below = MAX_INT64; // past any key
      if (before !== undefined) {
        const at = position(before);
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

interface RawPosition {
  accountId: string;
  conversation: string;
  timestamp: bigint;
  seq: bigint;
  key: bigint;
}

interface At {
  timestamp: number;
  seq: number;
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

function boundLimit(limit: number): number {
  if (!Number.isFinite(limit)) throw new RangeError("limit must be a finite number");
  return Math.min(MAX_LIMIT, Math.max(0, Math.floor(limit)));
}
