import type { Database } from "better-sqlite3";
import type { Migration } from "../migrations";
import { SCHEMA_TOO_NEW } from "../protocol";

/** Thrown when the file was written by a newer Wren: it is closed untouched. */
export class SchemaTooNewError extends Error {
  readonly code = SCHEMA_TOO_NEW;
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`message database has schema version ${found}; this Wren knows up to ${known}`);
    this.name = "SchemaTooNewError";
  }
}

export interface MigrationResult {
  from: number;
  to: number;
}

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Brings the schema up to the newest migration, each step in its own transaction together with
 * its `user_version`, so a crash leaves the database at a step's end, never halfway through one.
 * Reads the version before it writes anything: a newer database is refused unmodified.
 */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationResult {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration ${migration.name} is numbered ${migration.version}, not ${index + 1}`,
      );
    }
  });
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > latest) throw new SchemaTooNewError(from, latest);
  for (const migration of migrations.slice(from)) {
    db.transaction(() => {
      // Under the write lock: another connection may have taken this step meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      // A pragma cannot take a bound parameter; the version is our own integer.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: latest };
}
