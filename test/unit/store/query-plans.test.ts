import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../main/store/worker/database";
import { createHistory } from "../../../main/store/worker/history";

// A person may have a million messages in five thousand conversations: no statement the store
// runs may read the whole messages table (or walk a whole index of it), nor every conversation.
// SQLite's plan says so before any data does; a full scan shows as "SCAN <table>".
//
// Nor may a statement be compiled again and again: when a partial index's condition compares a
// column with a value (direction = 'out') and a statement compares that column with a parameter
// (direction = @direction), SQLite re-prepares the statement each time the parameter's value
// changes, to see whether the index applies. Finding duplicates took twice as long that way.

const TABLES = ["messages", "conversations", "sync_state"];
// The aliases the statements give those tables.
const ALIASES = ["m", "c"];

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-plans-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every statement createHistory prepares, by its SQL. */
function preparedStatements(db: Database): string[] {
  const statements: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    statements.push(sql);
    return prepare(sql);
  }) as Database["prepare"];
  createHistory(db);
  db.prepare = prepare;
  return statements;
}

function plan(db: Database, sql: string): string[] {
  const explain = db.prepare("EXPLAIN QUERY PLAN " + sql);
  const named = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1]!);
  const params =
    named.length > 0
      ? [Object.fromEntries(named.map((name) => [name, null]))]
      : Array.from(sql.matchAll(/\?/g), () => null);
  return (explain.all(...params) as { detail: string }[]).map((row) => row.detail);
}

describe("the store's statements", () => {
  it("find their rows through an index, never by scanning a table", () => {
    const { db } = openDatabase(join(dir, "messages.db"));
    try {
      const statements = preparedStatements(db);
      expect(statements.length).toBeGreaterThan(20);
      const scans = statements.flatMap((sql) =>
        plan(db, sql)
          .filter((detail) => {
            const scanned = /^SCAN (\w+)/.exec(detail)?.[1];
            return scanned !== undefined && [...TABLES, ...ALIASES].includes(scanned);
          })
          .map((detail) => `${detail}\n  in ${sql.trim().replace(/\s+/g, " ").slice(0, 120)}`),
      );
      expect(scans).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("never compare a parameter with a column a partial index's condition compares with a value", () => {
    const { db } = openDatabase(join(dir, "messages.db"));
    try {
      const statements = preparedStatements(db);
      const conditions = db
        .prepare<[], { name: string; sql: string }>(
          "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql LIKE '% WHERE %'",
        )
        .all();
      expect(conditions.length).toBeGreaterThan(3);
      const clashes = conditions.flatMap(({ name, sql }) => {
        const condition = sql.slice(sql.search(/ WHERE /i));
        const columns = [...condition.matchAll(/(\w+)\s*(?:=|<|>|\bIN\b)/gi)].map((m) => m[1]!);
        return columns.flatMap((column) =>
          statements
            .filter((statement) => {
              const where = statement.slice(Math.max(0, statement.search(/\bWHERE\b/i)));
              const compared = new RegExp(
                `\\b${column}\\s*(?:[=<>]\\s*[@?]|IN\\s*\\(\\s*[@?])`,
                "i",
              );
              return /\bWHERE\b/i.test(statement) && compared.test(where);
            })
            .map((statement) => `${name} (${column}): ${statement.trim().slice(0, 80)}`),
        );
      });
      expect(clashes).toEqual([]);
    } finally {
      db.close();
    }
  });
});
