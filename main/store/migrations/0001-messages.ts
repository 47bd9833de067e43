import type { Database } from "better-sqlite3";
import type { Migration } from "./migration";

// The message history: one row per message, and the full-text index over the bodies.
//
// `seq` is the order messages were stored in, the tie-breaker between equal timestamps.
//
// `search_key` orders the full-text index by time: it is unique, and sorts like (timestamp, seq)
// (messages-repository.ts computes it on insert). The index's rowid is this key, so "the newest
// matches first" is the index's own order and a search reads only the page it returns, however
// many messages match; with `seq` as the rowid it would have to sort every match by time.
//
// `search_scope` is indexed with the body as two tokens, one for the account and one for the
// conversation (hex, so no tokenizer splits them), so a search within one conversation is a
// lookup in the index too, not a filter over every match elsewhere.
//
// The index holds no text of its own (external content): triggers keep it in step with the
// table. Inserting one row at a time through such a trigger is slow (FTS5 flushes its pending
// terms at every statement), which is why the repository inserts a batch in one statement.
const SCHEMA = `
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  conversation TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('chat', 'groupchat')),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  sender TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER,
  received_at INTEGER NOT NULL,
  server_at INTEGER,
  timestamp INTEGER NOT NULL,
  stanza_id TEXT,
  origin_id TEXT,
  archive_id TEXT,
  archive_by TEXT,
  state TEXT NOT NULL
    CHECK (state IN ('queued', 'sent', 'acked', 'delivered', 'displayed', 'received')),
  corrects_id TEXT REFERENCES messages (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
  search_key INTEGER NOT NULL UNIQUE,
  search_scope TEXT GENERATED ALWAYS AS (
    'a' || hex(account_id) || ' c' || hex(account_id || char(10) || conversation)
  ) VIRTUAL
) STRICT;

-- History pages: one conversation, by time, then by insertion.
CREATE INDEX messages_by_conversation ON messages (account_id, conversation, timestamp, seq);
-- Deduplication, one index per rule (messages-repository.ts, findDuplicate).
CREATE INDEX messages_by_archive_id ON messages (account_id, archive_id)
  WHERE archive_id IS NOT NULL;
CREATE INDEX messages_by_origin_id ON messages (account_id, conversation, origin_id)
  WHERE origin_id IS NOT NULL;
CREATE INDEX messages_by_stanza_id ON messages (account_id, conversation, stanza_id)
  WHERE stanza_id IS NOT NULL;
-- Deleting a message finds the corrections that name it through this.
CREATE INDEX messages_by_corrects_id ON messages (corrects_id) WHERE corrects_id IS NOT NULL;

CREATE VIRTUAL TABLE messages_fts USING fts5 (
  body,
  search_scope,
  content = 'messages',
  content_rowid = 'search_key',
  tokenize = 'unicode61 remove_diacritics 2',
  columnsize = 0
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, body, search_scope)
    VALUES (new.search_key, new.body, new.search_scope);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, body, search_scope)
    VALUES ('delete', old.search_key, old.body, old.search_scope);
END;

CREATE TRIGGER messages_fts_update
AFTER UPDATE OF body, search_key, account_id, conversation ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, body, search_scope)
    VALUES ('delete', old.search_key, old.body, old.search_scope);
  INSERT INTO messages_fts (rowid, body, search_scope)
    VALUES (new.search_key, new.body, new.search_scope);
END;
`;

export const messages: Migration = {
  version: 1,
  name: "messages",
  up(db: Database) {
    db.exec(SCHEMA);
  },
};
