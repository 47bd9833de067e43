import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "../migrations";
import { migrate, type MigrationResult } from "./migrate";

const WAL_BYTES = 40 * 1024 * 1024;

export interface OpenedDatabase {
  db: Database.Database;
  migration: MigrationResult;
}

/**
 * Opens (or creates) the message database and brings its schema up to date. A database from a
 * newer Wren is closed again before anything is written to it (SchemaTooNewError).
 */
export function openDatabase(path: string): OpenedDatabase {
  // Readable by its owner only: SQLite gives the WAL and its index the same mode as this file.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  const db = new Database(path);
  try {
    // Connection settings only: none of these writes to the file.
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    db.pragma("cache_size = -32000"); // 32 MB: the hot part of the indexes stays in memory
    db.pragma("temp_store = MEMORY");
    const migration = migrate(db, MIGRATIONS);
    // Persistent, so only now that the schema is known to be ours. WAL: readers never wait for
    // the writer, and a commit appends to one file. NORMAL: a commit survives the app crashing;
    // a power cut may lose the last ones, never the database's consistency.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // Copy the WAL back into the database every 40 MB rather than every 4 MB (SQLite's default):
    // a page written by several commits is copied once. Truncated back to that size afterwards.
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_BYTES / pageSize)}`);
    db.pragma(`journal_size_limit = ${WAL_BYTES}`);
    return { db, migration };
  } catch (error) {
    db.close();
    throw error;
  }
}
