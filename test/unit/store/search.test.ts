import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { MessageStore, SearchQuery, StoredMessage } from "../../../main/store/message-store";
import { matchExpression } from "../../../main/store/worker/match-expression";
import { ids, message, useStoreDir } from "./helpers";

const store = useStoreDir();

async function storeAll(messages: MessageStore, list: StoredMessage[]): Promise<void> {
  await Promise.all(list.map((m) => messages.add(m)));
}

const search = (messages: MessageStore, text: string, query: Partial<SearchQuery> = {}) =>
  messages.search({ text, limit: 100, ...query }).then(ids);

describe("search", () => {
  it("ignores case and diacritics, both ways", async () => {
    const messages = await store.open();
    const cafe = message({ body: "Meet at the Café?" });
    const naive = message({ body: "a naive plan" });
    const angstrom = message({ body: "ÅNGSTRÖM units" });
    await storeAll(messages, [cafe, naive, angstrom, message({ body: "nothing here" })]);
    expect(await search(messages, "cafe")).toEqual([cafe.id]);
    expect(await search(messages, "CAFÉ")).toEqual([cafe.id]);
    expect(await search(messages, "naïve")).toEqual([naive.id]);
    expect(await search(messages, "angstrom")).toEqual([angstrom.id]);
  });

  it("finds messages holding every word, in any order", async () => {
    const messages = await store.open();
    const both = message({ body: "the red fox jumps" });
    await storeAll(messages, [both, message({ body: "a red car" }), message({ body: "fox" })]);
    expect(await search(messages, "fox red")).toEqual([both.id]);
    expect(await search(messages, "  red\tfox\n")).toEqual([both.id]);
    expect(await search(messages, "e-mail")).toEqual([]);
  });

  it("takes FTS5 syntax as text, never as a query", async () => {
    const messages = await store.open();
    const or = message({ body: "this OR that" });
    const near = message({ body: "NEAR(here) is a word" });
    const quote = message({ body: 'he said "hello" and left' });
    const star = message({ body: "pre* fix" });
    const minus = message({ body: "not -this one" });
    const colon = message({ body: "body: some text" });
    const other = message({ body: "prefix that hello" });
    await storeAll(messages, [or, near, quote, star, minus, colon, other]);

    // Each of these is FTS5 syntax that would fail, widen or invert the query if passed through.
    expect(await search(messages, "this OR that")).toEqual([or.id]);
    expect(await search(messages, "NEAR(here)")).toEqual([near.id]);
    expect(await search(messages, "NEAR(")).toEqual([near.id]);
    expect(await search(messages, '"hello')).toEqual([other.id, quote.id]);
    expect(await search(messages, 'said "hello"')).toEqual([quote.id]);
    expect(await search(messages, "pre*")).toEqual([star.id]);
    expect(await search(messages, "-this")).toEqual([minus.id, or.id]);
    expect(await search(messages, "body: text")).toEqual([colon.id]);
    expect(await search(messages, "search_scope : x")).toEqual([]);
    expect(await search(messages, "AND")).toEqual([quote.id]);
    for (const hostile of ['"', "*", "(", ")", "^", ":", "-", "+", "{body}", "''", 'a""b', "NOT"]) {
      await expect(messages.search({ text: hostile, limit: 10 })).resolves.toBeDefined();
    }
  });

  it("gives nothing for text without a word", async () => {
    const messages = await store.open();
    await storeAll(messages, [message({ body: "- * ( )" })]);
    for (const empty of ["", "   ", "- * ( )", '"', "🙂"]) {
      expect(await search(messages, empty)).toEqual([]);
    }
    expect(matchExpression("- * 🙂")).toBeNull();
  });

  it("never matches the scope tokens it indexes beside the body", async () => {
    const messages = await store.open();
    await storeAll(messages, [message({ body: "hello" })]);
    const scope = matchExpression("x", { accountId: "alice", conversation: "bob@example.org" })!;
    const token = /search_scope : "(c[0-9a-f]+)"/.exec(scope)![1]!;
    expect(await search(messages, token)).toEqual([]);
    expect(await search(messages, `a${Buffer.from("alice").toString("hex")}`)).toEqual([]);
  });

  it("filters by account and by conversation", async () => {
    const messages = await store.open();
    const bob = message({ body: "lunch?" });
    const carol = message({ body: "lunch!", conversation: "carol@example.org" });
    const work = message({ body: "lunch meeting", accountId: "alice-work" });
    // Same conversation name under the other account: not the same conversation.
    const workBob = message({ body: "lunch again", accountId: "alice-work" });
    await storeAll(messages, [bob, carol, work, workBob]);
    expect(await search(messages, "lunch", { accountId: "alice" })).toEqual([carol.id, bob.id]);
    expect(
      await search(messages, "lunch", { accountId: "alice", conversation: "bob@example.org" }),
    ).toEqual([bob.id]);
    expect(await search(messages, "lunch", { conversation: "bob@example.org" })).toEqual([
      workBob.id,
      work.id,
      bob.id,
    ]);
    expect(await search(messages, "lunch", { accountId: "nobody" })).toEqual([]);
  });

  it("orders results newest first by time, then by insertion, whatever order they came in", async () => {
    const messages = await store.open();
    const now = message({ body: "news", timestamp: 9_000 });
    // History loaded later from the archive: older, but stored after.
    const old = message({ body: "news", timestamp: 1_000 });
    const tieA = message({ body: "news", timestamp: 5_000 });
    const tieB = message({ body: "news", timestamp: 5_000 });
    const future = message({ body: "news", timestamp: 8_000_000_000_000_000 }); // clamped key
    const negative = message({ body: "news", timestamp: -5 });
    for (const m of [now, old, tieA, tieB, negative, future]) await messages.add(m);
    expect(await search(messages, "news")).toEqual(ids([future, now, tieB, tieA, old, negative]));
  });

  it("pages through many results with `before`, without skipping or repeating one", async () => {
    const messages = await store.open();
    const list = Array.from({ length: 700 }, (_, index) =>
      message({
        body: index % 3 === 0 ? `needle number ${index}` : `hay ${index}`,
        timestamp: 10_000 + ((index * 37) % 50) * 1_000, // many equal timestamps, out of order
      }),
    );
    await storeAll(messages, list);
    const expected = list
      .map((m, seq) => ({ m, seq }))
      .filter(({ m }) => m.body.startsWith("needle"))
      .sort((a, b) => b.m.timestamp - a.m.timestamp || b.seq - a.seq)
      .map(({ m }) => m.id);

    const walked: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await messages.search({ text: "needle", limit: 40, ...(before && { before }) });
      if (page.length === 0) break;
      walked.push(...ids(page));
      before = page.at(-1)!.id;
    }
    expect(walked).toEqual(expected);
    expect(await messages.search({ text: "needle", limit: 10_000 })).toHaveLength(expected.length);
    expect(await search(messages, "needle", { before: "no-such-id" })).toEqual([]);
  });

  it("finds a corrected message by its new text only, and keeps the index whole", async () => {
    const messages = await store.open();
    const typo = message({ body: "see you tomorow", direction: "out", state: "sent" });
    const other = message({ body: "tomorow is fine" });
    await storeAll(messages, [typo, other]);
    await messages.update(typo.id, { body: "see you tomorrow", editedAt: 1 });
    // State changes leave the text as it is: the index must stay right through them too.
    await messages.update(typo.id, { state: "acked" });
    await messages.update(typo.id, { state: "displayed", archiveId: "A1" });
    expect(await search(messages, "tomorow")).toEqual([other.id]);
    expect(await search(messages, "tomorrow")).toEqual([typo.id]);
    await messages.close();
    const db = new Database(store.path());
    db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    db.close();
  });

  it("bounds the limit to 500", async () => {
    const messages = await store.open();
    await storeAll(
      messages,
      Array.from({ length: 520 }, () => message({ body: "same" })),
    );
    expect(await messages.search({ text: "same", limit: 10_000 })).toHaveLength(500);
    expect(await messages.search({ text: "same", limit: 0 })).toEqual([]);
  });
});
