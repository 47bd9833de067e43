import type { Database } from "better-sqlite3";
import type { Migration } from "./migration";

// The file a message carries (issue #10): its URL, name, size and media type, as one JSON object
// (messages-repository.ts writes and reads it); null for the messages that carry none, which is
// nearly all. Adding a column to a STRICT table makes SQLite check every row once (about 2 s at a
// million messages).
const SCHEMA = `ALTER TABLE messages ADD COLUMN attachment TEXT;`;

export const attachments: Migration = {
  version: 4,
  name: "attachments",
  up(db: Database) {
    db.exec(SCHEMA);
  },
};
