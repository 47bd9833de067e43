import { describe, expect, it } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import type { MessageStore, StoredMessage } from "../../../main/store/message-store";
import { StoreError } from "../../../main/store/open-store";
import { ids, message, UNUSABLE, useStoreDir } from "./helpers";

const store = useStoreDir();
const BOB = { accountId: "alice", conversation: "bob@example.org" };

/** Every page of a conversation, walked back from the newest with `before`. */
async function walkBack(messages: MessageStore, limit: number): Promise<StoredMessage[][]> {
  const pages: StoredMessage[][] = [];
  let before: string | undefined;
  for (;;) {
    const page = await messages.page({ ...BOB, limit, ...(before ? { before } : {}) });
    if (page.length === 0) return pages;
    pages.push(page);
    before = page[0]!.id;
  }
}

describe("history pages", () => {
  it("gives the newest messages, oldest first, ordered by time and then by insertion", async () => {
    const messages = await store.open();
    const late = message({ timestamp: 3_000 });
    const early = message({ timestamp: 1_000 });
    const tieA = message({ timestamp: 2_000 });
    const tieB = message({ timestamp: 2_000 });
    for (const m of [late, early, tieA, tieB]) await messages.add(m);
    expect(ids(await messages.page({ ...BOB, limit: 10 }))).toEqual(ids([early, tieA, tieB, late]));
    expect(ids(await messages.page({ ...BOB, limit: 2 }))).toEqual(ids([tieB, late]));
  });

  it("pages back through many messages with equal timestamps without skipping or repeating one", async () => {
    const messages = await store.open();
    // 1,000 messages, most of them sharing a timestamp with many others, stored out of order.
    const stored = Array.from({ length: 1_000 }, (_, index) =>
      message({ timestamp: 5_000 + Math.floor(((index * 7919) % 1_000) / 100) * 1_000 }),
    );
    await Promise.all(stored.map((m) => messages.add(m)));
    const expected = [...stored]
      .map((m, seq) => ({ m, seq }))
      .sort((a, b) => a.m.timestamp - b.m.timestamp || a.seq - b.seq)
      .map(({ m }) => m.id);

    for (const limit of [1, 7, 100, 500]) {
      const pages = await walkBack(messages, limit);
      const walked = pages.reverse().flat();
      expect(ids(walked)).toEqual(expected);
      expect(pages.every((page) => page.length <= limit)).toBe(true);
    }
  });

  it("keeps conversations and accounts apart", async () => {
    const messages = await store.open();
    const mine = message();
    await messages.add(mine);
    await messages.add(message({ conversation: "carol@example.org" }));
    await messages.add(message({ accountId: "alice-work" }));
    expect(ids(await messages.page({ ...BOB, limit: 10 }))).toEqual([mine.id]);
  });

  it("gives nothing before an unknown message, or one of another conversation", async () => {
    const messages = await store.open();
    const other = message({ conversation: "carol@example.org" });
    await messages.add(message());
    await messages.add(other);
    expect(await messages.page({ ...BOB, before: "no-such-id", limit: 10 })).toEqual([]);
    expect(await messages.page({ ...BOB, before: other.id, limit: 10 })).toEqual([]);
  });

  it("bounds the limit to 500, and gives nothing for 0", async () => {
    const messages = await store.open();
    const stored = Array.from({ length: 1_200 }, () => message());
    await Promise.all(stored.map((m) => messages.add(m)));
    expect(await messages.page({ ...BOB, limit: 10_000 })).toHaveLength(500);
    const middle = stored[600]!.id;
    expect(await messages.page({ ...BOB, limit: 10_000, after: middle })).toHaveLength(500);
    expect(await messages.page({ ...BOB, limit: 10_000, before: middle })).toHaveLength(500);
    const around = await messages.page({ ...BOB, limit: 10_000, around: middle });
    expect(ids(around)).toEqual(ids(stored.slice(351, 851)));
    expect(await messages.page({ ...BOB, limit: 0 })).toEqual([]);
    expect(await messages.page({ ...BOB, limit: -3 })).toEqual([]);
  });

  it("stores every field as given", async () => {
    const messages = await store.open();
    const original = message({ direction: "out", sender: "alice@example.org", state: "acked" });
    const full = message({
      kind: "groupchat",
      sentAt: 1_699_999_999_000,
      serverAt: 1_700_000_000_500,
      stanzaId: "s-1",
      originId: "o-1",
      archiveId: "a-1",
      archiveBy: "alice@example.org",
      body: "Grüße 👋 — «ok»\n\tsecond line",
      correctsId: original.id,
      editedAt: 1_700_000_000_900,
    });
    await messages.add(original);
    await messages.add(full);
    expect(await messages.page({ ...BOB, limit: 10 })).toEqual([original, full]);
  });

  it("stores a body cut in the middle of a surrogate pair with U+FFFD in its place", async () => {
    const messages = await store.open();
    await messages.add(message({ body: "cut \ud83d here" }));
    const [stored] = await messages.page({ ...BOB, limit: 1 });
    expect(stored!.body).toBe("cut \ufffd here");
  });

  it("keeps its messages across close and reopen", async () => {
    const first = await store.open();
    const stored = Array.from({ length: 50 }, () => message());
    for (const m of stored) void first.add(m); // not awaited: close must finish them
    await first.close();
    const second = await store.open();
    expect(await second.page({ ...BOB, limit: 100 })).toEqual(stored);
  });
});

describe("writing", () => {
  it("refuses a second message with the same id, and still stores the others sent with it", async () => {
    const messages = await store.open();
    const first = message();
    await messages.add(first);
    const others = [message(), message()];
    const results = await Promise.allSettled([
      messages.add(others[0]!),
      messages.add({ ...first, body: "again" }),
      messages.add(others[1]!),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const error = (results[1] as PromiseRejectedResult).reason as WrenError;
    expect(error).toBeInstanceOf(WrenError);
    expect(error.message).toBe(UNUSABLE);
    expect(error.cause).toBeInstanceOf(StoreError);
    expect((error.cause as StoreError).code).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(ids(await messages.page({ ...BOB, limit: 10 }))).toEqual(ids([first, ...others]));
  });

  it("updates only the fields given, and ignores an unknown id", async () => {
    const messages = await store.open();
    const sent = message({ direction: "out", state: "sent", serverAt: null });
    await messages.add(sent);
    await messages.update(sent.id, { state: "acked" });
    await messages.update(sent.id, { archiveId: "arch-1", archiveBy: "alice@example.org" });
    await messages.update(sent.id, { serverAt: 42, state: undefined });
    await messages.update("no-such-id", { state: "displayed" });
    expect(await messages.page({ ...BOB, limit: 10 })).toEqual([
      {
        ...sent,
        state: "acked",
        archiveId: "arch-1",
        archiveBy: "alice@example.org",
        serverAt: 42,
      },
    ]);
  });

  it("updates a message stored in the same batch, and answers with it as it now is", async () => {
    const messages = await store.open();
    const sent = message({ direction: "out", state: "queued" });
    const [, acked, edited] = await Promise.all([
      messages.add(sent),
      messages.update(sent.id, { state: "acked" }),
      messages.update(sent.id, { body: "cut \ud83d here", editedAt: 7 }),
    ]);
    expect(acked).toEqual({ ...sent, state: "acked" });
    const expected = { ...sent, state: "acked", body: "cut \ufffd here", editedAt: 7 };
    expect(edited).toEqual(expected);
    expect(await messages.page({ ...BOB, limit: 10 })).toEqual([expected]);
  });

  it("refuses a correction of a message it does not hold, and forgets the link when the original goes", async () => {
    const messages = await store.open();
    await expect(messages.add(message({ correctsId: "nothing" }))).rejects.toThrow(UNUSABLE);
    const original = message({ conversation: "carol@example.org" });
    const correction = message({ correctsId: original.id });
    await messages.add(original);
    await messages.add(correction);
    await messages.deleteConversation("alice", "carol@example.org");
    expect(await messages.page({ ...BOB, limit: 10 })).toEqual([
      { ...correction, correctsId: null },
    ]);
  });
});
