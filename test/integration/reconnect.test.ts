import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { ManualSignals } from "../../main/core/connectivity";
import type { RosterChange, SessionOptions, XmppSession } from "../../main/core/session-api";
import { collect, eventually, nextEvent, sessionFor, sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";
import { prosodyctl } from "./setup/prosody";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

// Wren's sessions here reach Prosody through a proxy that can cut or stall the link. Stream
// management (XEP-0198) is loaded into the shared test Prosody for this file only: xmpp.js's own
// client, which other test files use raw, miscounts stanzas under it and gets disconnected.

const server = inject("xmpp");
const pool = sessionPool();
let proxy: TcpProxy;

const shell = (command: string) => prosodyctl(server.configPath, "shell", command);

function viaProxy(account: TestAccount, options: Partial<SessionOptions> = {}): XmppSession {
  return pool.track(sessionFor(account, { port: proxy.port, ...options }));
}

describe("connections that heal themselves", () => {
  beforeAll(async () => {
    expect(await shell("module:load('smacks', 'localhost')")).toContain("Loaded");
    proxy = await startTcpProxy({ host: server.host, port: server.c2sPort });
  });
  afterEach(async () => {
    await pool.stopAll();
    proxy.refuse(false);
    proxy.cut();
  });
  afterAll(async () => {
    await proxy?.close();
    await shell("module:unload('smacks', 'localhost')");
  });

  it("resumes the stream (XEP-0198) after the link is cut, and chat goes on", async () => {
    const [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    const a = viaProxy(alice);
    await a.start();
    const b = await pool.signIn(bob);
    const rosterChanges: RosterChange[] = [];
    a.on("roster", (change) => rosterChanges.push(change));
    const atAlice = collect(a);

    const connecting = nextEvent(a, "state", (state) => state.state === "connecting");
    const reconnected = nextEvent(a, "reconnected", () => true, 15_000);
    proxy.cut();
    const [lost] = await connecting;
    expect(lost.error?.code).toBe("stream-closed");
    // Sent while Alice is away: the server keeps it for her resumable session.
    await b.sendMessage(alice.jid, "while you were cut off");

    const [{ resumed }] = await reconnected;
    expect(resumed).toBe(true);
    expect(a.state()).toMatchObject({ state: "online", jid: alice.jid, error: null });

    await eventually(() => atAlice.length === 1, "the message sent during the outage");
    expect(atAlice[0]).toMatchObject({ body: "while you were cut off", peer: bob.jid });

    const atBob = nextEvent(b, "message", (message) => message.body === "back again");
    await a.sendMessage(bob.jid, "back again");
    await atBob;
    // Bob answers with a marker. It reaches Alice after anything the server sent her before it,
    // and after the answer to anything she sent before "back again" (a roster request, say).
    await b.sendMessage(alice.jid, "marker");
    await eventually(() => atAlice.some((m) => m.body === "marker"), "Bob's marker");
    expect(atAlice.map((m) => m.body)).toEqual(["while you were cut off", "marker"]); // nothing twice
    expect(rosterChanges.filter((change) => change.reset)).toEqual([]); // no new session
  }, 30_000);

  it("notices a silently dead link within about 10 s and reconnects", async () => {
    const alice = await registerAccount(server.configPath);
    const a = viaProxy(alice);
    await a.start();

    const stalledAt = Date.now();
    const connecting = nextEvent(a, "state", (state) => state.state === "connecting", 20_000);
    const reconnected = nextEvent(a, "reconnected", () => true, 35_000);
    proxy.stall();
    const [lost] = await connecting;
    const noticedAfter = Date.now() - stalledAt;
    expect(lost.error?.code).toBe("timeout");
    // A probe every 5 s, answered within 5 s: noticed after 5–10 s (plus scheduling slack).
    expect(noticedAfter).toBeGreaterThanOrEqual(4_500);
    expect(noticedAfter).toBeLessThan(13_000);

    // The server still holds the stalled connection; resuming takes the session over from it.
    const [{ resumed }] = await reconnected;
    expect(resumed).toBe(true);
    expect(a.state().state).toBe("online");
  }, 45_000);

  it("sends a message the server never acknowledged again after resuming, exactly once", async () => {
    const [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    const a = viaProxy(alice);
    await a.start();
    const b = await pool.signIn(bob);
    const atBob = collect(b);

    proxy.stall();
    // Written to the socket, so sendMessage succeeds; but it never reaches the server.
    const sent = await a.sendMessage(bob.jid, "into the void");

    const [{ resumed }] = await nextEvent(a, "reconnected", () => true, 35_000);
    expect(resumed).toBe(true);
    // A marker sent after it arrives after any copy of it: then Bob has everything he will get.
    await a.sendMessage(bob.jid, "marker");
    await eventually(() => atBob.some((m) => m.body === "marker"), "the marker", 10_000);
    expect(atBob.map((m) => m.body)).toEqual([sent.body, "marker"]);
  }, 50_000);

  it("falls back to a new session when the server forgot the old one, and still sends the unacknowledged message", async () => {
    const [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    const a = viaProxy(alice);
    await a.start();
    const b = await pool.signIn(bob);
    const atBob = collect(b);

    proxy.stall();
    const sent = await a.sendMessage(bob.jid, "outlives its session");
    proxy.refuse(true); // the server is "down": every reconnect attempt fails for now
    const connecting = nextEvent(a, "state", (state) => state.state === "connecting");
    proxy.cut(); // the held-back message is lost with the link
    await connecting;

    // Make the server end Alice's hibernating session (once it has one), so resuming it must fail.
    await expect
      .poll(() => shell(`c2s:close('${alice.jid}')`), { timeout: 15_000, interval: 100 })
      .toContain("Total: 1");

    const newRoster = nextEvent(a, "roster", (change) => change.reset, 30_000);
    const reconnected = nextEvent(a, "reconnected", () => true, 30_000);
    proxy.refuse(false);
    a.reconnectNow();
    const [{ resumed }] = await reconnected;
    expect(resumed).toBe(false);
    await newRoster; // a new session fetched the roster again

    await a.sendMessage(bob.jid, "marker");
    await eventually(() => atBob.some((m) => m.body === "marker"), "the marker", 10_000);
    // At least once in general; here exactly once, since the server never got the first copy.
    expect(atBob.map((m) => m.body)).toEqual([sent.body, "marker"]);
    expect(atBob[0]).toMatchObject({ body: "outlives its session", delayed: true });
    expect(a.state().state).toBe("online");
  }, 45_000);

  it("keeps other accounts chatting while one account's server is down, and brings it back", async () => {
    const [alice, bob, carol] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    const signals = new ManualSignals();
    const a = viaProxy(alice, { signals });
    await a.start();
    const b = await pool.signIn(bob);
    const c = await pool.signIn(carol);

    proxy.refuse(true);
    const connecting = nextEvent(a, "state", (state) => state.state === "connecting");
    proxy.cut();
    await connecting;

    const before = proxy.accepted();
    for (const body of ["one", "two", "three"]) {
      const atCarol = nextEvent(c, "message", (message) => message.body === body);
      await b.sendMessage(carol.jid, body);
      await atCarol;
      const atBob = nextEvent(b, "message", (message) => message.body === `re: ${body}`);
      await c.sendMessage(bob.jid, `re: ${body}`);
      await atBob;
    }
    // Alice keeps trying meanwhile (≈0.5–1 s, then 1–2 s…), and stays "connecting".
    await eventually(() => proxy.accepted() >= before + 2, "two reconnect attempts", 10_000);
    expect(a.state().state).toBe("connecting");
    expect(b.state().state).toBe("online");
    expect(c.state().state).toBe("online");

    const reconnected = nextEvent(a, "reconnected", () => true, 20_000);
    proxy.refuse(false); // the server is back…
    signals.networkUp(); // …and the OS says the network is: no waiting for the next attempt
    await reconnected;
    const atBob = nextEvent(b, "message", (message) => message.body === "I'm back");
    await a.sendMessage(bob.jid, "I'm back");
    await atBob;

    await a.stop(); // going offline lets go of the OS's signals
    expect(signals.listenerCount()).toBe(0);
  }, 45_000);
});
