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

  it("deletes everything of an account and nothing of another", async () => {
    const messages = await store.open();
    const kept = message({ accountId: "alice-work", body: "keep me" });
    await Promise.all(
      [
        message({ body: "keep me not" }),
        message({ conversation: "carol@example.org", body: "keep me not" }),
        kept,
      ].map((m) => messages.add(m)),
    );
    await messages.deleteAccount("alice");
    expect(ids(await messages.search({ text: "keep", limit: 50 }))).toEqual([kept.id]);
    expect(await messages.search({ text: "keep", accountId: "alice", limit: 50 })).toEqual([]);
    await messages.close();
    expect(ftsConsistent(store.path())).toBe(true);
  });
});
