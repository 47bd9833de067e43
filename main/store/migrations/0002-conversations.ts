import type { Database } from "better-sqlite3";
import type { Migration } from "./migration";

// What the list of conversations, read marks, corrections and the archive catch-up need.
//
// `conversations` holds one row per conversation, kept up to date as messages are stored (the
// repository updates it in the transaction that inserts them), so that listing the 2,000 most
// recent of 5,000 conversations and counting their unread messages reads 2,000 rows, not the
// million messages behind them. Positions in a conversation are `search_key`s: unique, and in the
// order (timestamp, seq) history is shown in (0001-messages.ts).
// - `last_key`: the conversation's last message; null while it has none (a conversation whose
//   archive is known to be empty).
// - `read_key`: the read mark, the last message read; null when nothing was read.
// - `unread`: incoming messages after the mark, counted up to 10,000 (MAX_UNREAD).
// - `archive_complete`: the server's archive was read back to its first message.
//
// Adding a column to a STRICT table makes SQLite check every row (about 2 s at a million
// messages, once); the rest of this step takes a fraction of that.
//
// Conversations stored before this step count as read: there were no read marks to go by, and
// showing every old conversation as unread would be noise.
//
// `messages_unacknowledged` holds only outgoing messages the server has not acknowledged (only
// ours are ever queued or sent): a few rows, whatever the history's size, and messages past "sent"
// leave it. Its condition names no column a lookup compares with a parameter (direction, say):
// SQLite would then re-prepare such a statement whenever the parameter's value changed, to see
// whether the index applies, which made finding duplicates twice as slow.
//
// The full-text index was rewritten whenever an UPDATE named `body`; it now is only when the
// text (or the key) actually changed, so that a delivery receipt costs no index write.
//
// FTS5 merges a level of its index once it holds `automerge` segments (4 by default); at 8, a
// steady stream of stored messages is merged less often: storing at a million messages took a
// tenth less time, and searches there were as fast (bench/store.ts).
const SCHEMA = `
ALTER TABLE messages ADD COLUMN edited_at INTEGER;

CREATE TABLE conversations (
  account_id TEXT NOT NULL,
  conversation TEXT NOT NULL,
  last_key INTEGER,
  read_key INTEGER,
  unread INTEGER NOT NULL DEFAULT 0,
  archive_complete INTEGER NOT NULL DEFAULT 0 CHECK (archive_complete IN (0, 1)),
  PRIMARY KEY (account_id, conversation)
) STRICT, WITHOUT ROWID;

CREATE INDEX conversations_by_recency ON conversations (account_id, last_key)
  WHERE last_key IS NOT NULL;

CREATE TABLE sync_state (
  account_id TEXT NOT NULL PRIMARY KEY,
  archive_id TEXT,
  archive_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX messages_unacknowledged ON messages (account_id, timestamp, seq)
  WHERE state IN ('queued', 'sent');

INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 8);

DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update
AFTER UPDATE OF body, search_key, account_id, conversation ON messages
WHEN old.body IS NOT new.body OR old.search_key IS NOT new.search_key
  OR old.account_id IS NOT new.account_id OR old.conversation IS NOT new.conversation
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, body, search_scope)
    VALUES ('delete', old.search_key, old.body, old.search_scope);
  INSERT INTO messages_fts (rowid, body, search_scope)
    VALUES (new.search_key, new.body, new.search_scope);
END;

-- Each conversation's last message from the end of its run in messages_by_conversation, rather
-- than max(search_key) over every row (a second at a million messages).
INSERT INTO conversations (account_id, conversation, last_key, read_key, unread)
  SELECT account_id, conversation, last_key, last_key, 0
  FROM (
    SELECT c.account_id, c.conversation,
      (SELECT m.search_key FROM messages m
        WHERE m.account_id = c.account_id AND m.conversation = c.conversation
        ORDER BY m.timestamp DESC, m.seq DESC LIMIT 1) AS last_key
    FROM (SELECT DISTINCT account_id, conversation FROM messages) c
  );
`;

export const conversations: Migration = {
  version: 2,
  name: "conversations",
  up(db: Database) {
    db.exec(SCHEMA);
  },
};
