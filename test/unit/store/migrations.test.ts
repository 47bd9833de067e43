import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import { MIGRATIONS, type Migration } from "../../../main/store/migrations";
import { migrate, SchemaTooNewError } from "../../../main/store/worker/migrate";
import { ids, message, useStoreDir } from "./helpers";

/** A database as Wren wrote it at schema version 1, holding `rows` (written as it wrote them). */
function schemaOneDatabase(path: string, rows: ReturnType<typeof message>[]): void {
  const db = new Database(path);
  migrate(db, MIGRATIONS.slice(0, 1));
  const insert = db.prepare(`
    INSERT INTO messages (id, account_id, conversation, kind, direction, sender, body, sent_at,
      received_at, server_at, timestamp, stanza_id, origin_id, archive_id, archive_by, state,
      corrects_id, search_key)
    VALUES (@id, @accountId, @conversation, @kind, @direction, @sender, @body, @sentAt,
      @receivedAt, @serverAt, @timestamp, @stanzaId, @originId, @archiveId, @archiveBy, @state,
      @correctsId, @key)`);
  rows.forEach((row, index) => insert.run({ ...row, key: row.timestamp * 2 ** 20 + index }));
  db.close();
}

const store = useStoreDir();

function inspect(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return {
      version: db.pragma("user_version", { simple: true }),
      journal: db.pragma("journal_mode", { simple: true }),
      tables: db
        .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index', 'trigger')")
        .pluck()
        .all(),
    };
  } finally {
    db.close();
  }
}

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("migrations", () => {
  it("creates the schema in a new file, in WAL mode, at the newest version", async () => {
    await (await store.open()).close();
    const schema = inspect(store.path());
    expect(schema.version).toBe(MIGRATIONS.length);
    expect(schema.journal).toBe("wal");
    expect(schema.tables).toEqual(
      expect.arrayContaining([
        "messages",
        "messages_fts",
        "messages_by_conversation",
        "messages_by_archive_key",
        "messages_by_origin_key",
        "messages_by_stanza_key",
        "messages_fts_insert",
        "messages_fts_delete",
        "messages_fts_update",
        "messages_unacknowledged",
        "conversations",
        "conversations_by_recency",
        "sync_state",
      ]),
    );
  });

  it("keeps the database and its WAL readable by their owner only", async () => {
    const messages = await store.open();
    await messages.add(message());
    for (const file of [store.path(), `${store.path()}-wal`, `${store.path()}-shm`]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
  });

  it("opens an up-to-date file again without changing its schema, and keeps its messages", async () => {
    const first = await store.open();
    const stored = [message(), message(), message()];
    await Promise.all(stored.map((m) => first.add(m)));
    await first.close();
    const before = inspect(store.path());

    const second = await store.open();
    const page = await second.page({
      accountId: "alice",
      conversation: "bob@example.org",
      limit: 10,
    });
    await second.close();
    expect(ids(page)).toEqual(ids(stored));
    expect(page).toEqual(stored);
    expect(inspect(store.path())).toEqual(before);
  });

  it("brings a schema-1 database with messages up to date, counting what it held as read", async () => {
    const bob = { accountId: "alice", conversation: "bob@example.org" };
    const old = [
      message({ timestamp: 1_000, body: "old news" }),
      message({ timestamp: 2_000, direction: "out", sender: "alice@example.org", state: "queued" }),
      message({ timestamp: 3_000, originId: "O-3" }),
      message({ timestamp: 1_500, conversation: "carol@example.org" }),
    ];
    schemaOneDatabase(store.path(), old);
    expect(inspect(store.path()).version).toBe(1);

    const messages = await store.open();
    expect(await messages.page({ ...bob, limit: 10 })).toEqual([old[0], old[1], old[2]]);
    expect(await messages.conversations("alice", 10)).toEqual([
      { conversation: "bob@example.org", last: old[2], unread: 0 },
      { conversation: "carol@example.org", last: old[3], unread: 0 },
    ]);
    expect(await messages.unacknowledged("alice")).toEqual([old[1]]);
    expect(await messages.findByReference({ ...bob, direction: "in", ref: "O-3" })).toEqual(old[2]);

    // What comes now is counted, and the old messages can change.
    const fresh = message({ timestamp: 4_000 });
    await messages.add(fresh);
    expect((await messages.conversations("alice", 1))[0]).toEqual({
      conversation: "bob@example.org",
      last: fresh,
      unread: 1,
    });
    const edited = await messages.update(old[0]!.id, { body: "new news", editedAt: 5_000 });
    expect(edited).toEqual({ ...old[0], body: "new news", editedAt: 5_000 });
    expect(ids(await messages.search({ text: "news", limit: 10 }))).toEqual([old[0]!.id]);
    expect(await messages.search({ text: "old", limit: 10 })).toEqual([]);
    await messages.close();

    expect(inspect(store.path()).version).toBe(MIGRATIONS.length);
    const db = new Database(store.path());
    db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    db.close();
  });

  it("refuses a database from a newer Wren with a readable error, and leaves it untouched", async () => {
    const db = new Database(store.path());
    db.exec("CREATE TABLE from_the_future (x TEXT)");
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const hash = await sha256(store.path());

    const error = await store.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect((error as WrenError).code).toBe("internal");
    expect((error as WrenError).message).toMatch(/newer version of Wren/);
    expect(await sha256(store.path())).toBe(hash);
    expect(inspect(store.path()).tables).toEqual(["from_the_future"]);
    expect(inspect(store.path()).journal).toBe("delete");
  });

  it("reports a file that is not a database as a readable error", async () => {
    await writeFile(store.path(), "this is not a database, only some text ".repeat(200));
    const error = await store.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect((error as WrenError).message).toBe(
      "Wren could not open its message history. The details are in the log.",
    );
  });
});

describe("migrate", () => {
  const step = (version: number, sql: string): Migration => ({
    version,
    name: `step ${version}`,
    up: (db) => void db.exec(sql),
  });

  it("applies the steps in order, each with its version, and only the missing ones", () => {
    const db = new Database(":memory:");
    const steps = [step(1, "CREATE TABLE a (x)"), step(2, "CREATE TABLE b (x)")];
    expect(migrate(db, steps.slice(0, 1))).toEqual({ from: 0, to: 1 });
    expect(migrate(db, steps)).toEqual({ from: 1, to: 2 });
    expect(migrate(db, steps)).toEqual({ from: 2, to: 2 });
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    db.close();
  });

  it("rolls a failing step back whole, leaving the version at the step before", () => {
    const db = new Database(":memory:");
    const steps = [
      step(1, "CREATE TABLE a (x)"),
      step(2, "CREATE TABLE b (x); CREATE TABLE a (y)"), // fails halfway: a exists
    ];
    expect(() => migrate(db, steps)).toThrow(/already exists/);
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_schema").pluck().all();
    expect(tables).toEqual(["a"]);
    db.close();
  });

  it("refuses a newer database before writing anything", () => {
    const db = new Database(":memory:");
    db.pragma("user_version = 5");
    expect(() => migrate(db, [step(1, "CREATE TABLE a (x)")])).toThrow(SchemaTooNewError);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get()).toBe(0);
    db.close();
  });

  it("insists the steps are numbered 1, 2, 3…", () => {
    const db = new Database(":memory:");
    expect(() => migrate(db, [step(2, "SELECT 1")])).toThrow(/numbered 2, not 1/);
    db.close();
  });
});
