import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { configureLogging } from "../../main/shared/log";
import { eventually, nextEvent, sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";
import { startTcpProxy } from "./tcp-proxy";

// The person is told "the details are in the log": the connection's life must be there, and
// nothing the person would not want written down (passwords, message text) ever is.

const server = inject("xmpp");
const pool = sessionPool();
const lines: string[] = [];

beforeAll(() =>
  configureLogging({ sinks: [{ write: (line) => lines.push(line) }], level: "debug" }),
);
afterAll(async () => {
  await pool.stopAll();
  configureLogging({ sinks: [] });
});

describe("what the core logs", () => {
  let alice: TestAccount;
  let bob: TestAccount;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
  });

  it("logs signing in, going online, losing the link and reconnecting, without secrets or bodies", async () => {
    const proxy = await startTcpProxy({ host: server.host, port: server.c2sPort });
    try {
      const a = await pool.signIn(alice, { host: "127.0.0.1", port: proxy.port });
      const b = await pool.signIn(bob);
      const atBob: string[] = [];
      b.on("message", (message) => atBob.push(message.body));
      await a.sendMessage(bob.jid, "a very private sentence");
      await eventually(() => atBob.length === 1, "Bob to get the message");

      const back = nextEvent(a, "reconnected", () => true, 30_000);
      proxy.cut();
      await back;
      await a.stop();
    } finally {
      await proxy.close();
    }

    const log = lines.join("");
    const ofAlice = lines.filter((line) => line.includes(alice.jid)).join("");
    for (const step of [
      "signing in",
      "stream bound",
      "online",
      "connection lost",
      "reconnected",
      "signing out",
    ]) {
      expect(ofAlice, step).toContain(step);
    }
    expect(log).not.toContain(alice.password);
    expect(log).not.toContain(bob.password);
    expect(log).not.toContain("a very private sentence");
  });
});
