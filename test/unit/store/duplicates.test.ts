import { describe, expect, it } from "vitest";
import type { DuplicateProbe, StoredMessage } from "../../../main/store/message-store";
import { ids, message, useStoreDir } from "./helpers";

const store = useStoreDir();
const WINDOW_MS = 60_000;

/** The probe a copy of `stored` would bring, with `overrides`. */
function probeFor(stored: StoredMessage, overrides: Partial<DuplicateProbe> = {}): DuplicateProbe {
  return {
    accountId: stored.accountId,
    conversation: stored.conversation,
    direction: stored.direction,
    sender: stored.sender,
    body: stored.body,
    archiveId: null,
    originId: null,
    stanzaId: null,
    timestamp: stored.timestamp,
    windowMs: WINDOW_MS,
    ...overrides,
  };
}

describe("finding duplicates", () => {
  it("matches by archive id within the account first, whatever else differs", async () => {
    const messages = await store.open();
    const archived = message({ archiveId: "A1", archiveBy: "alice@example.org" });
    await messages.add(archived);
    const probe = probeFor(archived, {
      archiveId: "A1",
      conversation: "someone@else",
      body: "other text",
      timestamp: 0,
    });
    expect(await messages.findDuplicate(probe)).toEqual(archived);
    expect(await messages.findDuplicate({ ...probe, accountId: "alice-work" })).toBeNull();
  });

  it("then by origin id, with the same conversation, sender and body", async () => {
    const messages = await store.open();
    const original = message({ originId: "O1", timestamp: 1_000 });
    await messages.add(original);
    const far = { timestamp: 1_000 + 10 * WINDOW_MS }; // out of the time window
    expect(await messages.findDuplicate(probeFor(original, { originId: "O1", ...far }))).toEqual(
      original,
    );
    // A sender reusing an origin id cannot make another message vanish.
    for (const differs of [
      { body: "another text" },
      { sender: "mallory@example.org" },
      { conversation: "carol@example.org" },
    ]) {
      expect(
        await messages.findDuplicate(probeFor(original, { originId: "O1", ...far, ...differs })),
      ).toBeNull();
    }
  });

  it("then by stanza id, with the same conversation, sender, body and direction", async () => {
    const messages = await store.open();
    const original = message({ stanzaId: "S1", direction: "in", timestamp: 1_000 });
    await messages.add(original);
    const far = { timestamp: 1_000 + 10 * WINDOW_MS };
    expect(await messages.findDuplicate(probeFor(original, { stanzaId: "S1", ...far }))).toEqual(
      original,
    );
    expect(
      await messages.findDuplicate(
        probeFor(original, { stanzaId: "S1", direction: "out", ...far }),
      ),
    ).toBeNull();
    expect(
      await messages.findDuplicate(probeFor(original, { stanzaId: "S1", body: "x", ...far })),
    ).toBeNull();
  });

  it("last, by sender and body within the window, unless ids of one kind differ", async () => {
    const messages = await store.open();
    const original = message({ body: "ok", timestamp: 100_000, originId: "O1" });
    await messages.add(original);
    expect(await messages.findDuplicate(probeFor(original, { timestamp: 150_000 }))).toEqual(
      original,
    );
    expect(await messages.findDuplicate(probeFor(original, { timestamp: 40_000 }))).toEqual(
      original,
    );
    expect(await messages.findDuplicate(probeFor(original, { timestamp: 170_000 }))).toBeNull();
    expect(
      await messages.findDuplicate(probeFor(original, { body: "ok!", timestamp: 100_000 })),
    ).toBeNull();
    // "ok" sent twice within a minute: two origin ids, two messages.
    expect(
      await messages.findDuplicate(probeFor(original, { originId: "O2", timestamp: 100_001 })),
    ).toBeNull();
    expect(await messages.findDuplicate(probeFor(original, { windowMs: 0 }))).toEqual(original);
  });

  it("tells apart ids that end alike, which share their place in the id indexes", async () => {
    const messages = await store.open();
    // Ids made by counting, by one client, and a UUID-like one: the same last 8 characters.
    const ending = "-0000042";
    const stored = ["purple" + ending, "x" + ending, "3f2c9a1e-77b4" + ending].map((id, i) =>
      message({
        archiveId: `A${id}`,
        originId: `O${id}`,
        stanzaId: id,
        body: "ok",
        timestamp: 1_000 + i,
      }),
    );
    for (const m of stored) await messages.add(m);
    const far = { timestamp: 0, windowMs: 0 }; // only the ids can match
    for (const m of stored) {
      expect(await messages.findDuplicate(probeFor(m, { archiveId: m.archiveId, ...far }))).toEqual(
        m,
      );
      expect(await messages.findDuplicate(probeFor(m, { originId: m.originId, ...far }))).toEqual(
        m,
      );
      expect(await messages.findDuplicate(probeFor(m, { stanzaId: m.stanzaId, ...far }))).toEqual(
        m,
      );
      for (const ref of [m.originId!, m.stanzaId!]) {
        expect(
          await messages.findByReference({
            accountId: m.accountId,
            conversation: m.conversation,
            direction: m.direction,
            ref,
          }),
        ).toEqual(m);
      }
    }
    const unknown = probeFor(stored[0]!, { originId: "nobody" + ending, ...far });
    expect(await messages.findDuplicate(unknown)).toBeNull();
  });

  it("tries the rules in order and answers with the first that matches", async () => {
    const messages = await store.open();
    const byTime = message({ body: "same", timestamp: 5_000 });
    const byStanza = message({ body: "same", timestamp: 900_000, stanzaId: "S" });
    const byOrigin = message({ body: "same", timestamp: 900_000, originId: "O" });
    const byArchive = message({ body: "different", timestamp: 900_000, archiveId: "A" });
    for (const m of [byTime, byStanza, byOrigin, byArchive]) await messages.add(m);
    const probe = probeFor(byTime, { archiveId: "A", originId: "O", stanzaId: "S" });
    expect(await messages.findDuplicate(probe)).toEqual(byArchive);
    expect(await messages.findDuplicate({ ...probe, archiveId: "none" })).toEqual(byOrigin);
    expect(await messages.findDuplicate({ ...probe, archiveId: null, originId: null })).toEqual(
      byStanza,
    );
    expect(
      await messages.findDuplicate({ ...probe, archiveId: null, originId: null, stanzaId: null }),
    ).toEqual(byTime);
  });

  it("sees messages added just before it", async () => {
    const messages = await store.open();
    const original = message({ originId: "fresh" });
    const [, found] = await Promise.all([
      messages.add(original),
      messages.findDuplicate(probeFor(original, { originId: "fresh" })),
    ]);
    expect(found).toEqual(original);
  });
});

describe("adding unless a duplicate", () => {
  it("stores a new message and answers null, or answers the duplicate and stores nothing", async () => {
    const messages = await store.open();
    const live = message({ originId: "O1" });
    expect(await messages.addUnlessDuplicate(live, probeFor(live, { originId: "O1" }))).toBeNull();
    const fromArchive = message({ originId: "O1", body: live.body, archiveId: "A9" });
    expect(
      await messages.addUnlessDuplicate(
        fromArchive,
        probeFor(fromArchive, { originId: "O1", archiveId: "A9" }),
      ),
    ).toEqual(live);
    expect(
      ids(await messages.page({ accountId: "alice", conversation: live.conversation, limit: 9 })),
    ).toEqual([live.id]);
  });

  it("stores a message arriving twice at once only once", async () => {
    const messages = await store.open();
    const copies = [message({ originId: "twice" }), message({ originId: "twice" })].map((m) => ({
      ...m,
      body: "same words",
    }));
    const others = [message(), message()];
    const results = await Promise.all([
      messages.add(others[0]!),
      ...copies.map((m) => messages.addUnlessDuplicate(m, probeFor(m, { originId: "twice" }))),
      messages.add(others[1]!),
    ]);
    expect(results[1]).toBeNull();
    expect(results[2]).toEqual(copies[0]);
    expect(
      ids(await messages.page({ accountId: "alice", conversation: "bob@example.org", limit: 9 })),
    ).toEqual(ids([others[0]!, copies[0]!, others[1]!]));
  });
});

describe("duplicates within one burst of writes", () => {
  // The original and its copy reach the worker together, so the copy is checked against a batch
  // not yet written: the same rules must hold there.
  const cases: [string, Partial<StoredMessage>, Partial<DuplicateProbe>, boolean][] = [
    [
      "the same archive id",
      { archiveId: "A1" },
      { archiveId: "A1", body: "x", timestamp: 0 },
      true,
    ],
    [
      "an archive id of another account",
      { archiveId: "A1" },
      { archiveId: "A1", accountId: "other" },
      false,
    ],
    ["the same origin id", { originId: "O1" }, { originId: "O1", timestamp: 10 ** 9 }, true],
    [
      "an origin id with other text",
      { originId: "O1" },
      { originId: "O1", body: "x", timestamp: 10 ** 9 },
      false,
    ],
    ["the same stanza id", { stanzaId: "S1" }, { stanzaId: "S1", timestamp: 10 ** 9 }, true],
    [
      "a stanza id the other way",
      { stanzaId: "S1" },
      { stanzaId: "S1", direction: "out", timestamp: 10 ** 9 },
      false,
    ],
    ["the same text within the window", {}, { timestamp: 1_700_000_030_000 }, true],
    ["the same text outside the window", {}, { timestamp: 1_700_000_090_000 }, false],
    ["the same text with another origin id", { originId: "O1" }, { originId: "O2" }, false],
  ];
  for (const [name, original, probe, duplicate] of cases) {
    it(`${duplicate ? "finds" : "does not take"} ${name} for a duplicate`, async () => {
      const messages = await store.open();
      const stored = message(original);
      const copy = message({ body: stored.body });
      const [, found] = await Promise.all([
        messages.add(stored),
        messages.addUnlessDuplicate(copy, probeFor(stored, probe)),
      ]);
      expect(found).toEqual(duplicate ? stored : null);
    });
  }

  it("tries the rules in order, the batch after the database for each", async () => {
    const messages = await store.open();
    const byTime = message({ body: "same", timestamp: 5_000 });
    const byOrigin = message({ body: "same", timestamp: 900_000, originId: "O" });
    await messages.add(byTime);
    const byStanza = message({ body: "same", timestamp: 900_000, stanzaId: "S" });
    const byArchive = message({ body: "different", timestamp: 900_000, archiveId: "A" });
    const probe = probeFor(byTime, { archiveId: "A", originId: "O", stanzaId: "S" });
    const found = await Promise.all([
      messages.add(byStanza),
      messages.add(byOrigin),
      messages.add(byArchive),
      messages.addUnlessDuplicate(message(), probe),
      messages.addUnlessDuplicate(message(), { ...probe, archiveId: null }),
      messages.addUnlessDuplicate(message(), { ...probe, archiveId: null, originId: null }),
      messages.addUnlessDuplicate(message(), {
        ...probe,
        archiveId: null,
        originId: null,
        stanzaId: null,
      }),
    ]);
    expect(found.slice(3)).toEqual([byArchive, byOrigin, byStanza, byTime]);
  });
});
