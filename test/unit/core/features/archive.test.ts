import { xml, type Element } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { Chat } from "../../../../main/core/features/chat/chat";
import { MemoryHistory } from "../../../../main/core/features/chat/memory-history";
import { endingBefore } from "../../../../main/core/features/mam/ending-before";
import { Archive } from "../../../../main/core/features/mam/mam";
import type { Outbox } from "../../../../main/core/outbox";
import type { CatchUpProgress, ChatMessage } from "../../../../preload/contract";
import { captureLog } from "../logger-double";
import { resultOf, scriptedArchive, type ArchivedEntry } from "./scripted-archive";

// The catch-up with the account's archive and the scroll back into it, against a scripted
// archive: paging, the checkpoint after every page, resuming after a crash, a forgotten cursor,
// the first sign-in's window, and results that do not answer our query.

const ACCOUNT = "alice@example.org";
const BOB = "bob@example.org";
const NOW = Date.UTC(2025, 5, 1, 12);

function entries(count: number, start = NOW - count * 1000): ArchivedEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `a${String(i).padStart(5, "0")}`,
    from: i % 5 === 4 ? ACCOUNT : BOB,
    to: i % 5 === 4 ? BOB : ACCOUNT,
    body: `message ${i}`,
    at: start + i * 1000,
  }));
}

function setup(
  archive: ArchivedEntry[],
  history = new MemoryHistory(),
  options: { from?: string } = {},
) {
  const shown: ChatMessage[] = [];
  const progress: CatchUpProgress[] = [];
  let outbox: Outbox | null = null;
  const log = captureLog();
  const chat: Chat = new Chat({
    accountId: "acc",
    account: ACCOUNT,
    outbox: () => outbox,
    history,
    onMessage: (m) => shown.push(m),
    catchingUp: () => mam.catchingUp,
    fetchOlder: (peer, oldest, limit) => mam.fetchOlder(peer, oldest, limit),
    log: log.log,
    now: () => NOW,
  });
  const mam: Archive = new Archive({
    accountId: "acc",
    account: ACCOUNT,
    history: () => history,
    keep: (items) => chat.keepArchived(items),
    onCaughtUp: () => chat.catchUpDone(),
    onProgress: (p) => progress.push(p),
    outbox: () => outbox,
    log: log.log,
    now: () => NOW,
  });
  const server = scriptedArchive(archive, (stanza: Element) => mam.message(stanza), options);
  outbox = server.outbox;
  const caughtUp = async () => {
    const before = progress.length;
    await mam.online({ resumed: false }, server.outbox);
    for (let i = 0; i < 200 && !progress.slice(before).some((p) => !p.running); i++) {
      await new Promise((done) => setImmediate(done));
    }
    return progress.at(-1)!;
  };
  return {
    chat,
    mam,
    history,
    shown,
    progress,
    queries: server.queries,
    outbox: server.outbox,
    caughtUp,
    log,
  };
}

/** A chat feature alone, with no connection, over `history`: for what arrives live. */
function offlineChat(history: MemoryHistory, now: () => number): Chat {
  return new Chat({
    accountId: "acc",
    account: ACCOUNT,
    outbox: () => null,
    history,
    onMessage: () => {},
    log: captureLog().log,
    now,
  });
}

/** Every message kept of the conversation with Bob, oldest first (from the history itself). */
/** Waits, a turn of the event loop at a time, until `done` holds (at most 500 turns). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((next) => setImmediate(next));
  expect(done()).toBe(true);
}

async function bodiesOf(history: MemoryHistory): Promise<string[]> {
  const all: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await history.page({ accountId: "acc", conversation: BOB, before, limit: 500 });
    all.unshift(...page.map((m) => m.body));
    if (page.length < 500) return all;
    before = page[0]!.id;
  }
}

describe("the catch-up", () => {
  it("on the first sign-in fetches a recent window backwards, then goes forwards from its newest", async () => {
    const archive = entries(3000);
    const t = setup(archive);
    const first = await t.caughtUp();
    expect(first).toEqual({ running: false, fetched: 2000 });
    expect(t.queries[0]).toMatchObject({ before: "", max: 100 });
    // The newest 2,000, in order; older ones come on scrolling.
    expect((await bodiesOf(t.history)).at(-1)).toBe("message 2999");
    expect(await bodiesOf(t.history)).toHaveLength(2000);
    expect(await t.history.syncState("acc")).toEqual({
      archiveId: "a02999",
      archiveAt: archive[2999]!.at,
    });
    expect(t.shown.every((m) => m.archived)).toBe(true);

    archive.push(
      ...entries(3, NOW + 10_000).map((e, i) => ({ ...e, id: `b${i}`, body: `new ${i}` })),
    );
    const second = await t.caughtUp();
    expect(second).toEqual({ running: false, fetched: 3 });
    expect(t.queries.at(-1)).toMatchObject({ after: "a02999" });
    expect((await bodiesOf(t.history)).slice(-3)).toEqual(["new 0", "new 1", "new 2"]);
  });

  it("pages forwards to the end, saving the checkpoint after every page, each message once", async () => {
    const archive = entries(250);
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: archive[0]!.id, archiveAt: archive[0]!.at });
    const t = setup(archive, history);
    const saved: (string | null)[] = [];
    const save = history.saveSyncState.bind(history);
    history.saveSyncState = async (accountId, state) => {
      saved.push(state.archiveId);
      return save(accountId, state);
    };
    expect(await t.caughtUp()).toEqual({ running: false, fetched: 249 });
    expect(saved).toEqual(["a00100", "a00200", "a00249"]);
    expect(t.progress.filter((p) => p.running).map((p) => p.fetched)).toEqual([0, 100, 200, 249]);
    expect(await bodiesOf(t.history)).toEqual(archive.slice(1).map((e) => e.body));
  });

  it("resumes from the last saved page after a crash in the middle", async () => {
    const archive = entries(300);
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: null, archiveAt: NOW - 400_000 });
    const crashing = setup(archive, history);
    let pages = 0;
    const keep = crashing.chat.keepArchived.bind(crashing.chat);
    crashing.chat.keepArchived = async (items) => {
      if (++pages === 2) throw new Error("killed");
      return keep(items);
    };
    const failed = await crashing.caughtUp();
    expect(failed.error).toBeDefined();
    expect(await history.syncState("acc")).toMatchObject({ archiveId: "a00099" });

    const restarted = setup(archive, history);
    expect(await restarted.caughtUp()).toEqual({ running: false, fetched: 200 });
    expect(restarted.queries[0]).toMatchObject({ after: "a00099" });
    expect(await bodiesOf(restarted.history)).toEqual(archive.map((e) => e.body));
  });

  it("falls back to the time of the last message when the archive forgot the cursor", async () => {
    const archive = entries(10);
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: "expired", archiveAt: archive[5]!.at });
    const t = setup(archive, history);
    const done = await t.caughtUp();
    expect(done.error).toBeUndefined();
    expect(t.queries.map((q) => q.after ?? q.start)).toEqual([
      "expired",
      new Date(archive[5]!.at - 5 * 60_000).toISOString(),
    ]);
    expect(await bodiesOf(t.history)).toEqual(archive.map((e) => e.body));
  });

  it("goes on after a resumed stream when the connection dropped in the middle, and only then", async () => {
    const archive = entries(300);
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: archive[0]!.id, archiveAt: archive[0]!.at });
    const t = setup(archive, history);
    let pages = 0;
    const keep = t.chat.keepArchived.bind(t.chat);
    t.chat.keepArchived = async (items) => {
      // The link drops while the second page is stored.
      if (++pages === 2) t.mam.offline!();
      return keep(items);
    };
    await t.mam.online({ resumed: false }, t.outbox);
    await until(() => pages >= 2);
    expect(t.progress.some((p) => !p.running)).toBe(false);

    const resumed = async () => {
      const before = t.progress.length;
      await t.mam.online({ resumed: true }, t.outbox);
      await until(() => t.progress.slice(before).some((p) => !p.running));
    };
    const checkpoint = (await history.syncState("acc"))!.archiveId;
    const asked = t.queries.length;
    await resumed();
    expect(t.queries[asked]).toMatchObject({ after: checkpoint });
    expect(t.queries.at(-1)).toMatchObject({ after: "a00200" });
    expect(await bodiesOf(history)).toEqual(archive.slice(1).map((e) => e.body));

    // Caught up: a stream resumed later missed nothing, and asks nothing.
    const all = t.queries.length;
    await t.mam.online({ resumed: true }, t.outbox);
    expect(t.queries).toHaveLength(all);
    expect(t.mam.catchingUp).toBe(false);
  });

  it("stops when an archive says there is more but repeats its page", async () => {
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: "x", archiveAt: NOW });
    const t = setup([], history);
    const stuck = {
      async send() {},
      async request() {
        return xml(
          "iq",
          { type: "result" },
          xml(
            "fin",
            { xmlns: "urn:xmpp:mam:2" },
            xml("set", { xmlns: "http://jabber.org/protocol/rsm" }, xml("last", {}, "x")),
          ),
        );
      },
    };
    await t.mam.online({ resumed: false }, stuck);
    for (let i = 0; i < 50 && !t.progress.some((p) => !p.running); i++) {
      await new Promise((done) => setImmediate(done));
    }
    expect(t.progress.at(-1)).toEqual({ running: false, fetched: 0 });
  });
});

describe("the order a sender wrote in", () => {
  it("holds when the archive stamps whole seconds and a live message came with milliseconds", async () => {
    const second = NOW - 10_000;
    const archive: ArchivedEntry[] = ["one", "two", "three"].map((body, i) => ({
      id: `a${i}`,
      from: BOB,
      to: ACCOUNT,
      body,
      at: second,
    }));
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: null, archiveAt: second - 60_000 });
    const t = setup(archive, history);
    // "one" came live at .700 of that second, before the link went.
    let clock = second + 700;
    const live = offlineChat(history, () => clock++);
    live.message(
      xml("message", { from: `${BOB}/phone`, type: "chat", id: "s-a0" }, xml("body", {}, "one")),
    );
    await live.settled();
    await t.caughtUp();
    expect(await bodiesOf(history)).toEqual(["one", "two", "three"]);
  });

  it("holds for a live message stamped with the whole second of the last one", async () => {
    const history = new MemoryHistory();
    const chat = offlineChat(history, () => NOW + 300);
    const message = (id: string, text: string, ...more: ReturnType<typeof xml>[]) =>
      xml("message", { from: BOB, type: "chat", id }, xml("body", {}, text), ...more);
    const stamp = (at: number) =>
      xml("delay", { xmlns: "urn:xmpp:delay", stamp: new Date(at).toISOString() });
    chat.message(message("1", "first"));
    // Sent again after a resumed stream: xmpp.js stamps whole seconds.
    chat.message(message("2", "second, resent", stamp(NOW)));
    // Written offline a minute ago, stamped to the millisecond: it keeps its place.
    chat.message(message("3", "written earlier", stamp(NOW - 60_123)));
    await chat.settled();
    expect(await bodiesOf(history)).toEqual(["written earlier", "first", "second, resent"]);
  });
});

describe("the checkpoint", () => {
  it("moves with live messages only once this session caught up", async () => {
    const archive = entries(3);
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: archive[0]!.id, archiveAt: archive[0]!.at });
    const t = setup(archive, history);
    t.mam.keptLive("live-1", NOW);
    expect(await history.syncState("acc")).toMatchObject({ archiveId: "a00000" });
    await t.caughtUp();
    expect(await history.syncState("acc")).toMatchObject({ archiveId: "a00002" });
    t.mam.keptLive("live-2", NOW + 1);
    await t.chat.settled();
    await new Promise((done) => setImmediate(done));
    expect(await history.syncState("acc")).toEqual({ archiveId: "live-2", archiveAt: NOW + 1 });
    // Offline: a new session catches up from there first.
    t.mam.offline!();
    t.mam.keptLive("live-3", NOW + 2);
    await new Promise((done) => setImmediate(done));
    expect(await history.syncState("acc")).toMatchObject({ archiveId: "live-2" });
  });
});

describe("a server without an archive", () => {
  it("is no error to show, and is not asked again for older messages this session", async () => {
    const t = setup([]);
    let asked = 0; // the catch-up's one question
    const none = {
      async send() {},
      async request() {
        asked++;
        throw Object.assign(new Error("service-unavailable"), {
          name: "StanzaError",
          condition: "service-unavailable",
        });
      },
    };
    await t.mam.online({ resumed: false }, none);
    for (let i = 0; i < 50 && !t.progress.some((p) => !p.running); i++) {
      await new Promise((done) => setImmediate(done));
    }
    expect(t.progress.at(-1)).toEqual({ running: false, fetched: 0 });
    expect(asked).toBe(1);
    await t.mam.fetchOlder(BOB, null, 10);
    // Neither the connection that said so nor any other is asked again this session.
    expect(t.queries).toHaveLength(0);
  });
});

describe("archive results", () => {
  it("count only from our own archive, for a query we made, up to the page size", async () => {
    const archive = entries(5);
    const t = setup(archive, new MemoryHistory(), { from: "mallory@example.org" });
    await t.caughtUp();
    expect(await bodiesOf(t.history)).toEqual([]);

    const ours = setup(archive);
    // Unasked: no query open with this id.
    ours.mam.message(resultOf(archive[0]!, "made-up"));
    await ours.chat.settled();
    expect(ours.shown).toEqual([]);
    expect(ours.log.lines.map((l) => l.message)).toContain(
      "ignored an archive result that did not answer our query",
    );
  });
});

describe("older history", () => {
  it("comes from the archive, page by page, when the person scrolls past what is kept", async () => {
    const archive = entries(25);
    const history = new MemoryHistory();
    await history.saveSyncState("acc", { archiveId: archive[24]!.id, archiveAt: archive[24]!.at });
    const t = setup(archive, history);
    const newest = await t.chat.history(BOB, {}, 10);
    expect(newest.map((m) => m.body)).toEqual(archive.slice(15).map((e) => e.body));
    const older = await t.chat.history(BOB, { before: newest[0]!.id }, 10);
    expect(older.map((m) => m.body)).toEqual(archive.slice(5, 15).map((e) => e.body));
    const oldest = await t.chat.history(BOB, { before: older[0]!.id }, 10);
    expect(oldest.map((m) => m.body)).toEqual(archive.slice(0, 5).map((e) => e.body));
    expect(await history.archiveComplete("acc", BOB)).toBe(true);
    const queries = t.queries.length;
    expect(await t.chat.history(BOB, { before: oldest[0]!.id }, 10)).toEqual([]);
    expect(t.queries).toHaveLength(queries);
  });

  it("does not bring back from the archive what the person deleted here", async () => {
    const archive = entries(25);
    const t = setup(archive);
    expect(await t.chat.history(BOB, {}, 10)).toHaveLength(10);
    const queries = t.queries.length;
    expect(await t.chat.deleteHistory(BOB)).toBe(10);
    expect(await t.chat.history(BOB, {}, 10)).toEqual([]);
    expect(t.queries).toHaveLength(queries);
  });
});

describe("a page fetched backwards", () => {
  it("ends strictly before the message it comes before, in the archive's order", () => {
    const at = (serverAt: number | null, id: string) =>
      ({ message: null as never, archiveId: id, serverAt }) as const;
    const second = 1_000_000;
    const { items, ceiling } = endingBefore(
      [at(second - 5_000, "a"), at(second, "b"), at(second, "c"), at(null, "d")],
      second,
    );
    expect(items.map((item) => [item.archiveId, item.serverAt])).toEqual([
      ["a", second - 5_000],
      ["b", second - 3],
      ["c", second - 2],
      ["d", second - 1],
    ]);
    expect(ceiling).toBe(second - 5_000);
    // The newest page has nothing above it: kept as it is.
    expect(endingBefore([at(second, "x")], null).items[0]?.serverAt).toBe(second);
  });
});
