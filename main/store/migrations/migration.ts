import type { Database } from "better-sqlite3";

/** One step of the schema. Applied once, in a transaction, then `PRAGMA user_version = version`. */
export interface Migration {
  /** 1, 2, 3…: the schema version this step leads to. */
  version: number;
  name: string;
  up(db: Database): void;
}
