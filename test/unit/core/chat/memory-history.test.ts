import { describe, expect, it } from "vitest";
import { MemoryHistory } from "../../../../main/core/features/chat/memory-history";
import { ThisRunHistory } from "../../../../main/core/features/chat/this-run-history";
import { historyContract, record, sent } from "./history-contract";

// Room for the contract's 10,000 messages in one conversation.
const ROOMY = { maxPerConversation: 20_000 };

historyContract("MemoryHistory", async () => new MemoryHistory(ROOMY));
historyContract("ThisRunHistory", async () => new ThisRunHistory(new MemoryHistory(), ROOMY));

const BOB = "bob@example.org";
const bobs = { accountId: "alice", conversation: BOB, limit: 100 };

describe("MemoryHistory within its bounds", () => {
  it("forgets unread messages it drops, and that the archive was read to the start", async () => {
    const history = new MemoryHistory({ maxPerConversation: 3 });
    await history.setArchiveComplete("alice", BOB);
    for (let i = 0; i < 5; i++) await history.add(record());
    const [conversation] = await history.conversations("alice", 10);
    expect(conversation!.unread).toBe(3);
    expect(await history.archiveComplete("alice", BOB)).toBe(false);
  });

  it("no longer finds, updates or marks at a message it dropped", async () => {
    const history = new MemoryHistory({ maxPerConversation: 2 });
    const dropped = sent({ state: "queued", originId: "O1" });
    await history.add(dropped);
    await history.add(record());
    await history.add(record());
    expect(await history.update(dropped.id, { state: "acked" })).toBeNull();
    expect(await history.unacknowledged("alice")).toEqual([]);
    const reference = { accountId: "alice", conversation: BOB, direction: "out" as const };
    expect(await history.findByReference({ ...reference, ref: "O1" })).toBeNull();
    await history.markRead("alice", BOB, dropped.id);
    expect((await history.conversations("alice", 10))[0]!.unread).toBe(2);
    expect(await history.page({ ...bobs, around: dropped.id })).toEqual([]);
  });

  it("keeps accounts apart, each within its own bounds", async () => {
    const history = new MemoryHistory({ maxConversations: 1 });
    const alices = record();
    const works = record({ accountId: "alice-work" });
    await history.add(alices);
    await history.add(works);
    expect(await history.page(bobs)).toEqual([alices]);
    expect(await history.page({ ...bobs, accountId: "alice-work" })).toEqual([works]);
    expect(await history.deleteConversation("alice-work", BOB)).toBe(1);
    expect(await history.page(bobs)).toEqual([alices]);
  });

  it("refuses a second message with the same id, as the database does", async () => {
    const history = new MemoryHistory();
    const first = record();
    await history.add(first);
    await expect(history.add({ ...first, body: "again" })).rejects.toThrow(/already kept/);
    expect(await history.page(bobs)).toEqual([first]);
  });

  it("keeps its own copy: changing the object it was given changes nothing kept", async () => {
    const history = new MemoryHistory();
    const given = record();
    await history.add(given);
    given.body = "changed afterwards";
    expect((await history.page(bobs))[0]!.body).not.toBe("changed afterwards");
  });
});

describe("ThisRunHistory", () => {
  it("writes nothing to the history it keeps in front of, and deletes there too", async () => {
    const stored = new MemoryHistory();
    const old = record({ body: "stored before" });
    await stored.add(old);
    await stored.markRead("alice", BOB, old.id);
    const history = new ThisRunHistory(stored);
    const now = record({ body: "this run" });
    await history.add(now);
    await history.markRead("alice", BOB, now.id);
    await history.saveSyncState("alice", { archiveId: "X", archiveAt: 1 });
    await history.setArchiveComplete("alice", BOB);
    expect(await history.update(old.id, { body: "edited" })).toBeNull();

    expect((await stored.page(bobs)).map((m) => m.body)).toEqual(["stored before"]);
    expect(await stored.syncState("alice")).toBeNull();
    expect(await stored.archiveComplete("alice", BOB)).toBe(false);
    expect((await history.page(bobs)).map((m) => m.body)).toEqual(["this run"]);

    expect(await history.deleteConversation("alice", BOB)).toBe(2);
    expect(await stored.page(bobs)).toEqual([]);
    expect(await stored.conversations("alice", 10)).toEqual([]);
  });

  it("still sends what was left waiting in the database, and records there how far it got", async () => {
    const stored = new MemoryHistory();
    const waiting = record({ direction: "out", sender: "alice", state: "queued", body: "queued" });
    await stored.add(waiting);
    const history = new ThisRunHistory(stored);
    const now = record({ direction: "out", sender: "alice", state: "queued", body: "new" });
    await history.add(now);

    expect((await history.unacknowledged("alice")).map((m) => m.body)).toEqual(["queued", "new"]);
    expect((await history.update(waiting.id, { state: "acked" }))?.state).toBe("acked");
    expect((await stored.unacknowledged("alice")).map((m) => m.body)).toEqual([]);
    expect((await history.unacknowledged("alice")).map((m) => m.body)).toEqual(["new"]);
  });
});
