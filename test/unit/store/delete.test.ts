import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ids, message, useStoreDir } from "./helpers";

const store = useStoreDir();

/** Checks the full-text index against the table, from outside, once the store is closed. */
function ftsConsistent(path: string): boolean {
  const db = new Database(path);
  try {
    db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    return true;
  } finally {
    db.close();
  }
}

describe("deleting history", () => {
  it("deletes one conversation, with its index entries, and says how many messages went", async () => {
    const messages = await store.open();
    const bob = Array.from({ length: 30 }, () => message({ body: "secret plans" }));
    const carol = message({ conversation: "carol@example.org", body: "secret plans too" });
    const work = message({ accountId: "alice-work", body: "secret plans at work" });
    await Promise.all([...bob, carol, work].map((m) => messages.add(m)));

    expect(await messages.deleteConversation("alice", "bob@example.org")).toBe(30);
    expect(await messages.deleteConversation("alice", "bob@example.org")).toBe(0);
    expect(
      await messages.page({ accountId: "alice", conversation: "bob@example.org", limit: 50 }),
    ).toEqual([]);
    expect(ids(await messages.search({ text: "secret", limit: 50 }))).toEqual(ids([work, carol]));
    await messages.close();
    expect(ftsConsistent(store.path())).toBe(true);
  });

  it("deletes everything of an account — messages, read marks, sync state — and nothing of another", async () => {
    const messages = await store.open();
    const kept = message({ accountId: "alice-work", body: "keep me" });
    await Promise.all(
      [
        message({ body: "keep me not" }),
        message({ conversation: "carol@example.org", body: "keep me not" }),
        kept,
      ].map((m) => messages.add(m)),
    );
    for (const accountId of ["alice", "alice-work"]) {
      await messages.saveSyncState(accountId, { archiveId: "X", archiveAt: 1 });
      await messages.setArchiveComplete(accountId, "bob@example.org");
    }
    await messages.deleteAccount("alice");
    expect(ids(await messages.search({ text: "keep", limit: 50 }))).toEqual([kept.id]);
    expect(await messages.search({ text: "keep", accountId: "alice", limit: 50 })).toEqual([]);
    expect(await messages.conversations("alice", 10)).toEqual([]);
    expect(await messages.syncState("alice")).toBeNull();
    expect(await messages.archiveComplete("alice", "bob@example.org")).toBe(false);
    expect(await messages.conversations("alice-work", 10)).toEqual([
      { conversation: "bob@example.org", last: kept, unread: 1 },
    ]);
    expect(await messages.syncState("alice-work")).toEqual({ archiveId: "X", archiveAt: 1 });
    expect(await messages.archiveComplete("alice-work", "bob@example.org")).toBe(true);
    await messages.close();
    expect(ftsConsistent(store.path())).toBe(true);
  });
});
