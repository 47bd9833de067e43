import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/client";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { CatchUpProgress, ChatMessage } from "../../preload/contract";
import { AccountState } from "../../main/core/account-state";
import type { XmppSession } from "../../main/core/session-api";
import { openMessageStore } from "../../main/store/open-store";
import type { MessageStore } from "../../main/store/message-store";
import { collect, eventually, nextEvent, sessionFor, sessionPool } from "./helpers";
import { rawClient } from "./raw-client";
import { registerAccount, type TestAccount } from "./setup/accounts";

// The server's message archive (XEP-0313) against Prosody's mod_mam: what came while Wren was
// away is fetched once, in order, each message once (Prosody also hands the same messages over
// from offline storage: the two copies are one message); older messages come page by page as
// the person scrolls up; only answers to our own queries count.

const server = inject("xmpp");
const pool = sessionPool();
let dir: string;
let store: MessageStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-archive-it-"));
  store = await openMessageStore({ path: join(dir, "history.sqlite") });
});
afterEach(() => pool.stopAll());
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** An account's lasting state over the shared database, and a session to plug it into. */
function wren(account: TestAccount) {
  const state = new AccountState({ jid: account.jid, accountId: account.jid, history: store });
  const progress: CatchUpProgress[] = [];
  state.on("catchUp", (update) => progress.push(update));
  const connect = () => pool.track(sessionFor(account, { state }));
  return { state, progress, connect };
}

/** Starts the session and waits until its catch-up with the archive finished. */
async function startCaughtUp(session: XmppSession): Promise<CatchUpProgress> {
  const done = nextEvent(session, "catchUp", (progress) => !progress.running, 30_000);
  await session.start();
  const [progress] = await done;
  return progress;
}

/** Sends and waits until the server acknowledged the last one (so it is archived). */
async function sendAll(from: XmppSession, to: string, bodies: string[]): Promise<ChatMessage[]> {
  const sent: ChatMessage[] = [];
  for (const body of bodies) sent.push(await from.sendMessage(to, body));
  const last = sent.at(-1)!;
  await nextEvent(from, "messageChanges", (changes) =>
    changes.some((change) => change.id === last.id && change.state !== "sent"),
  ).catch(() => undefined);
  return sent;
}

/** Two fresh accounts on the test server. */
function twoAccounts(): Promise<[TestAccount, TestAccount]> {
  return Promise.all([registerAccount(server.configPath), registerAccount(server.configPath)]);
}

/** Alice and Bob, each a Wren over the shared database, online and caught up. */
async function bothOnline() {
  const [alice, bob] = await twoAccounts();
  const a = wren(alice);
  const b = wren(bob);
  const atAlice = a.connect();
  const atBob = b.connect();
  await Promise.all([startCaughtUp(atAlice), startCaughtUp(atBob)]);
  return { alice, bob, a, b, atAlice, atBob };
}

const bodies = (messages: readonly ChatMessage[]) => messages.map((message) => message.body);
const numbered = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

describe("catching up with the archive", () => {
  it("fetches what came while away once, in order, paged to the end, with progress", async () => {
    const [alice, bob] = await twoAccounts();
    const a = wren(alice);
    const first = a.connect();
    expect(await startCaughtUp(first)).toEqual({ running: false, fetched: 0 });
    await first.stop();

    const b = await pool.signIn(bob);
    const written = numbered(250, "while away");
    await sendAll(b, alice.jid, written);

    const second = a.connect();
    const shown = collect(second);
    const done = await startCaughtUp(second);
    expect(done.running).toBe(false);
    expect(done.error).toBeUndefined();
    expect(done.fetched).toBeGreaterThanOrEqual(250);
    // Pages of at most 100 (Prosody's limit here): progress came on the way.
    expect(a.progress.filter((p) => p.running && p.fetched > 0).length).toBeGreaterThanOrEqual(3);
    await a.state.chat.settled();
    await eventually(() => shown.length >= 250, "every message to show");
    const kept = await a.state.chat.history(bob.jid, {}, 500);
    expect(bodies(kept)).toEqual(written);
    // Offline delivery repeats what the archive gave: still shown once.
    expect(new Set(shown.map((m) => m.body)).size).toBe(shown.length);
    expect(await store.syncState(alice.jid)).toMatchObject({ archiveId: expect.any(String) });
  });

  it("falls back to time when the archive forgot where Wren was (item-not-found)", async () => {
    const [alice, bob] = await twoAccounts();
    const a = wren(alice);
    await startCaughtUp(a.connect());
    await pool.stopAll();
    const b = await pool.signIn(bob);
    await sendAll(b, alice.jid, ["after the cursor"]);
    await store.saveSyncState(alice.jid, {
      archiveId: "no-such-archive-id",
      archiveAt: Date.now() - 60_000,
    });

    const done = await startCaughtUp(a.connect());
    expect(done.error).toBeUndefined();
    await a.state.chat.settled();
    expect(bodies(await a.state.chat.history(bob.jid, {}, 50))).toEqual(["after the cursor"]);
  });

  it("on the first sign-in, fetches the recent history the server already holds", async () => {
    const [alice, bob] = await twoAccounts();
    const b = await pool.signIn(bob);
    await sendAll(b, alice.jid, ["before Wren", "knew this account"]);

    const a = wren(alice);
    const session = a.connect();
    const shown = collect(session);
    const done = await startCaughtUp(session);
    expect(done.fetched).toBe(2);
    await a.state.chat.settled();
    expect(bodies(await a.state.chat.history(bob.jid, {}, 50))).toEqual([
      "before Wren",
      "knew this account",
    ]);
    // Prosody also delivers them from offline storage: whichever copy came first, each shows once.
    await eventually(() => shown.length >= 2, "both messages to show");
    expect(shown.map((m) => [m.body, m.delayed])).toEqual([
      ["before Wren", true],
      ["knew this account", true],
    ]);
  });
});

describe("older history", () => {
  it("comes from the archive page by page when the person scrolls past what is kept", async () => {
    const [alice, bob] = await twoAccounts();
    const a = wren(alice);
    const session = a.connect();
    const shown = collect(session);
    await startCaughtUp(session);
    const b = await pool.signIn(bob);
    const written = numbered(30, "old");
    await sendAll(b, alice.jid, written);
    await eventually(() => shown.length === 30, "Alice to get all 30");
    await a.state.chat.settled();
    // As on a computer that never kept this conversation (deleting it in Wren would also stop
    // it from coming back from the archive).
    await store.deleteConversation(alice.jid, bob.jid);

    const newest = await a.state.chat.history(bob.jid, {}, 10);
    expect(bodies(newest)).toEqual(written.slice(20));
    const older = await a.state.chat.history(bob.jid, { before: newest[0]!.id }, 10);
    expect(bodies(older)).toEqual(written.slice(10, 20));
    const oldest = await a.state.chat.history(bob.jid, { before: older[0]!.id }, 10);
    expect(bodies(oldest)).toEqual(written.slice(0, 10));
    expect(await a.state.chat.history(bob.jid, { before: oldest[0]!.id }, 10)).toEqual([]);
    expect(await store.archiveComplete(alice.jid, bob.jid)).toBe(true);
  });

  it("ignores archive results nobody asked for, or sent by someone else", async () => {
    const [alice, mallory] = await twoAccounts();
    const a = wren(alice);
    const session = a.connect();
    const shown = collect(session);
    await startCaughtUp(session);
    const raw = await rawClient(mallory);
    try {
      const forged = (queryid: string) =>
        xml(
          "message",
          { to: alice.jid },
          xml(
            "result",
            { xmlns: "urn:xmpp:mam:2", queryid, id: "forged-1" },
            xml(
              "forwarded",
              { xmlns: "urn:xmpp:forward:0" },
              xml(
                "message",
                { from: mallory.jid, to: alice.jid, type: "chat" },
                xml("body", {}, "forged"),
              ),
            ),
          ),
        );
      await raw.send(forged("any-query"));
      await raw.send(xml("message", { to: alice.jid, type: "chat" }, xml("body", {}, "marker")));
      await eventually(() => shown.some((m) => m.body === "marker"), "the marker message");
      expect(shown.map((m) => m.body)).toEqual(["marker"]);
    } finally {
      await raw.stop().catch(() => {});
    }
  });
});

describe("delivery", () => {
  it("moves a message through sent, acknowledged, delivered and displayed", async () => {
    const { alice, bob, a, b, atAlice, atBob } = await bothOnline();
    const states: string[] = [];
    a.state.on("messageChanges", (changes) => states.push(...changes.map((c) => c.state ?? "")));
    const arrived = nextEvent(atBob, "message", (m) => m.body === "did you get this?");
    const sent = await atAlice.sendMessage(bob.jid, "did you get this?");
    expect(sent.state).toBe("sent");
    const [received] = await arrived;
    await eventually(() => states.includes("delivered"), "the receipt");
    await b.state.chat.markRead(alice.jid, received.id);
    await eventually(() => states.includes("displayed"), "the displayed marker");
    // "acked" may come before the receipt or not at all (a state never moves back).
    expect(states.filter((s) => s !== "acked")).toEqual(["sent", "delivered", "displayed"]);
    const [kept] = await a.state.chat.history(bob.jid, {}, 10);
    expect(kept?.state).toBe("displayed");
    expect((await store.conversations(bob.jid, 10))[0]).toMatchObject({
      conversation: alice.jid,
      unread: 0,
    });
  });

  it("keeps a message written offline and sends it once the account connects", async () => {
    const [alice, bob] = await twoAccounts();
    const b = await pool.signIn(bob);
    const atBob = collect(b);
    const a = wren(alice);
    const queued = await a.state.chat.send(bob.jid, "written on a plane");
    expect(queued.state).toBe("queued");
    // As after a restart: a new state over the same database finds it waiting.
    const restarted = wren(alice);
    await startCaughtUp(restarted.connect());
    await eventually(() => atBob.some((m) => m.body === "written on a plane"), "Bob to get it");
    await restarted.state.chat.settled();
    const [kept] = await restarted.state.chat.history(bob.jid, {}, 10);
    expect(kept).toMatchObject({ id: queued.id, body: "written on a plane" });
    expect(kept?.state).not.toBe("queued");
    expect(atBob.filter((m) => m.body === "written on a plane")).toHaveLength(1);
  });

  it("corrects the last message on both sides, and refuses a correction of someone else's", async () => {
    const { alice, bob, a, b, atAlice, atBob } = await bothOnline();
    const arrived = nextEvent(atBob, "message", (m) => m.body === "helo");
    const sent = await atAlice.sendMessage(bob.jid, "helo");
    await arrived;
    const corrected = nextEvent(atBob, "messageChanges", (changes) =>
      changes.some((change) => change.body === "hello"),
    );
    await a.state.chat.correct(bob.jid, sent.id, "hello");
    await corrected;
    expect(bodies(await b.state.chat.history(alice.jid, {}, 10))).toEqual(["hello"]);
    expect((await b.state.chat.history(alice.jid, {}, 10))[0]?.editedAt).toEqual(
      expect.any(Number),
    );

    // Bob claims to correct Alice's own message: Alice shows it as a message of Bob's instead.
    const raw = await rawClient(bob);
    try {
      const shown = nextEvent(atAlice, "message", (m) => m.body === "you said bye");
      await raw.send(
        xml(
          "message",
          { to: alice.jid, type: "chat", id: "c1" },
          xml("body", {}, "you said bye"),
          xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: sent.id }),
        ),
      );
      await shown;
      const kept = await a.state.chat.history(bob.jid, {}, 10);
      expect(kept.map((m) => [m.direction, m.body])).toEqual([
        ["out", "hello"],
        ["in", "you said bye"],
      ]);
    } finally {
      await raw.stop().catch(() => {});
    }
  });

  it("tells a peer who uses chat states that the person is typing", async () => {
    const { alice, bob, b, atAlice, atBob } = await bothOnline();
    const arrived = nextEvent(atBob, "message", (m) => m.body === "hi");
    await atAlice.sendMessage(bob.jid, "hi");
    await arrived;
    const typing = nextEvent(
      atAlice,
      "chatState",
      (peer, state) => peer === bob.jid && state === "composing",
    );
    await b.state.chat.sendChatState(alice.jid, "composing");
    await typing;
  });
});
