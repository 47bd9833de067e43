import type { Database } from "better-sqlite3";
import type { Migration } from "./migration";

// Smaller keys for the three indexes that find a message by one of its ids (deduplication, and
// receipts, markers and corrections naming a message).
//
// The ids are random (UUIDs, an archive's ids, a client's), so each stored message lands at a
// random place in each of these indexes, and every write touched a page of each that no other
// message of the write did. Their keys were the account, the conversation and the id, about 70
// bytes: three large, randomly written B-trees took more of a write's time than the table, the
// conversation index and the full-text index together (bench/store.ts: dropping them made storing
// twice as fast). Keyed by the id's last 8 characters alone (where ids differ, also those made by
// counting up, such as "purple1a2b"), each is a fraction of the size; a lookup compares the whole
// id, the account and the conversation on the few rows it finds (messages-repository.ts).
//
// Building them again reads every message once: a few seconds at a million messages, once.
const SCHEMA = `
DROP INDEX messages_by_archive_id;
DROP INDEX messages_by_origin_id;
DROP INDEX messages_by_stanza_id;

CREATE INDEX messages_by_archive_key ON messages (substr(archive_id, -8))
  WHERE archive_id IS NOT NULL;
CREATE INDEX messages_by_origin_key ON messages (substr(origin_id, -8))
  WHERE origin_id IS NOT NULL;
CREATE INDEX messages_by_stanza_key ON messages (substr(stanza_id, -8))
  WHERE stanza_id IS NOT NULL;
`;

export const shortIdKeys: Migration = {
  version: 3,
  name: "short id keys",
  up(db: Database) {
    db.exec(SCHEMA);
  },
};
