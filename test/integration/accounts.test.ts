// Several accounts at once against the real Prosody, their passwords in a real Secret Service
// (gnome-keyring on a private D-Bus, started by test/run.ts; never the developer's own keyring).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../preload/contract";
import {
  createAccountManager,
  type AccountManager,
  type AccountSummary,
} from "../../main/accounts/account-manager";
import { createSession } from "../../main/core/account-runtime";
import type { CreateSession } from "../../main/core/session-api";
import {
  createKeytarStore,
  loadKeytar,
  type KeytarLike,
} from "../../main/credentials/keytar-store";
import { configureLogging } from "../../main/shared/log";
import { eventually } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

const server = inject("xmpp");
// Its own service name per run, so nothing collides with an earlier run's leftovers.
const SERVICE = `im.wren.Wren.test-accounts-${randomBytes(4).toString("hex")}`;

configureLogging({ sinks: [] });

/** Real sessions that retry quickly after a lost link, so the test does not wait for backoff. */
const quickSessions: CreateSession = (options) =>
  createSession({ ...options, backoff: { baseMs: 200, capMs: 1_000 } });

describe("several accounts at once", () => {
  let keytar: KeytarLike & { findCredentials(service: string): Promise<{ account: string }[]> };
  let dir: string;
  let settingsPath: string;
  let proxy: TcpProxy;
  let alice: TestAccount;
  let bob: TestAccount;
  let carol: TestAccount;
  const managers: AccountManager[] = [];
  const ids = { alice: "", bob: "", carol: "" };

  const newManager = () => {
    const manager = createAccountManager({
      settingsPath,
      credentials: createKeytarStore({ service: SERVICE }),
      createSession: quickSessions,
    });
    managers.push(manager);
    return manager;
  };
  const stateOf = (manager: AccountManager, id: string) =>
    manager.accounts().find((account) => account.id === id)?.state.state;
  const allOnline = (manager: AccountManager) =>
    manager.accounts().length === 3 &&
    manager.accounts().every((account) => account.state.state === "online");

  beforeAll(async () => {
    if (!process.env.WREN_TEST_KEYRING || !process.env.DBUS_SESSION_BUS_ADDRESS) {
      throw new Error(
        "These tests need a private Secret Service: run them through `tsx test/run.ts` (see " +
          "test/setup/keyring.ts). They refuse to run against your own keyring.",
      );
    }
    keytar = (await loadKeytar()) as typeof keytar;
    dir = await mkdtemp(join(tmpdir(), "wren-accounts-it-"));
    settingsPath = join(dir, "accounts.json");
    proxy = await startTcpProxy({ host: server.host, port: server.c2sPort });
    alice = await registerAccount(server.configPath);
    bob = await registerAccount(server.configPath);
    carol = await registerAccount(server.configPath);
  });

  afterAll(async () => {
    await Promise.all(managers.map((manager) => manager.dispose()));
    await proxy?.close();
    if (keytar) {
      for (const { account } of await keytar.findCredentials(SERVICE)) {
        await keytar.deletePassword(SERVICE, account);
      }
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("adds three accounts, each signed in before it is saved, all online at once", async () => {
    const manager = newManager();
    expect(await manager.load()).toEqual({ needPassword: [] });
    const direct = {
      host: server.host,
      port: server.c2sPort,
      directTls: false,
      savePassword: true,
    };

    const wrong = await manager
      .add({ ...direct, jid: alice.jid, password: "not it" })
      .catch((error: unknown) => error);
    expect(wrong).toMatchObject({ name: "WrenError", code: "auth-failed" });
    expect(manager.accounts()).toEqual([]);

    // One after another: each login costs SCRAM work on two cores.
    const added: AccountSummary[] = [];
    added.push(await manager.add({ ...direct, jid: alice.jid, password: alice.password }));
    added.push(await manager.add({ ...direct, jid: bob.jid, password: bob.password }));
    // Carol's link goes through a proxy the test can cut.
    added.push(
      await manager.add({ ...direct, port: proxy.port, jid: carol.jid, password: carol.password }),
    );
    ids.alice = added[0]!.id;
    ids.bob = added[1]!.id;
    ids.carol = added[2]!.id;

    expect(allOnline(manager)).toBe(true);
    const file = await readFile(settingsPath, "utf8");
    for (const account of [alice, bob, carol]) expect(file).not.toContain(account.password);
    expect(await keytar.getPassword(SERVICE, ids.alice)).toBe(alice.password);
    expect(await keytar.getPassword(SERVICE, ids.carol)).toBe(carol.password);
  });

  it("two accounts keep chatting while the third's link is cut; the third comes back", async () => {
    const manager = managers[0]!;
    const received: { accountId: string; message: ChatMessage }[] = [];
    manager.on("message", (event) => received.push(event));
    const carolStates: string[] = [];
    manager.on("state", ({ accountId, state }) => {
      if (accountId === ids.carol) carolStates.push(state.state);
    });

    proxy.refuse(true);
    proxy.cut();
    await eventually(() => stateOf(manager, ids.carol) === "connecting", "Carol to notice");

    await manager.session(ids.alice)!.sendMessage(bob.jid, "while Carol is away");
    await manager.session(ids.bob)!.sendMessage(alice.jid, "yes, we can still talk");
    await eventually(() => received.length === 2, "Alice and Bob to get each other's message");
    expect(
      received.map(({ accountId, message }) => [accountId, message.peer, message.body]),
    ).toEqual(
      expect.arrayContaining([
        [ids.bob, alice.jid, "while Carol is away"],
        [ids.alice, bob.jid, "yes, we can still talk"],
      ]),
    );
    expect(stateOf(manager, ids.alice)).toBe("online");
    expect(stateOf(manager, ids.bob)).toBe("online");
    expect(stateOf(manager, ids.carol)).toBe("connecting");

    proxy.refuse(false);
    await manager.reconnect(ids.carol);
    await eventually(() => stateOf(manager, ids.carol) === "online", "Carol back online", 20_000);
    expect(carolStates).toContain("connecting");

    await manager.session(ids.carol)!.sendMessage(alice.jid, "back");
    await eventually(
      () => received.some((e) => e.accountId === ids.alice && e.message.body === "back"),
      "Alice to hear from Carol",
    );
  });

  it("keeps an account's conversations and roster while it is disabled, edited and enabled again", async () => {
    const manager = managers[0]!;
    const historyOf = async (peer: string) => {
      const page = await manager.state(ids.alice)!.chat.history(peer, {}, 50);
      return page.map((message) => message.body);
    };
    expect(await historyOf(bob.jid)).toEqual(["while Carol is away", "yes, we can still talk"]);
    expect(await historyOf(carol.jid)).toEqual(["back"]);

    await manager.setEnabled(ids.alice, false);
    expect(manager.session(ids.alice)).toBeNull();
    expect(await historyOf(bob.jid)).toEqual(["while Carol is away", "yes, we can still talk"]);

    await manager.setEnabled(ids.alice, true);
    await eventually(() => stateOf(manager, ids.alice) === "online", "Alice back online");
    // A new connection setting means a new session: the conversations stay all the same.
    await manager.update(ids.alice, { resource: "edited" });
    await eventually(() => stateOf(manager, ids.alice) === "online", "Alice online again");
    const arrived: string[] = [];
    const off = manager.on("message", ({ accountId, message }) => {
      if (accountId === ids.alice) arrived.push(message.body);
    });
    await manager.session(ids.bob)!.sendMessage(alice.jid, "after all that");
    await eventually(() => arrived.includes("after all that"), "the new message");
    off();
    expect(await historyOf(bob.jid)).toEqual([
      "while Carol is away",
      "yes, we can still talk",
      "after all that",
    ]);
  });

  it("a fresh manager over the same file and keychain signs all three in without asking", async () => {
    await managers[0]!.dispose();
    const manager = newManager();
    const report = await manager.load();
    expect(report).toEqual({ needPassword: [] });
    expect(manager.accounts().map((account) => account.jid)).toEqual([
      alice.jid,
      bob.jid,
      carol.jid,
    ]);
    await eventually(() => allOnline(manager), "all three online", 20_000);
  });

  it("removing an account removes its keychain entry and its settings", async () => {
    const manager = managers[1]!;
    await manager.remove(ids.bob);

    // Checked with keytar directly, not through the store under test.
    expect(await keytar.getPassword(SERVICE, ids.bob)).toBeNull();
    const left = (await keytar.findCredentials(SERVICE)).map((c) => c.account).sort();
    expect(left).toEqual([ids.alice, ids.carol].sort());
    expect(await readFile(settingsPath, "utf8")).not.toContain(bob.jid);
    expect(manager.accounts().map((account) => account.jid)).toEqual([alice.jid, carol.jid]);
    expect(stateOf(manager, ids.alice)).toBe("online");
    expect(stateOf(manager, ids.carol)).toBe("online");
  });
});
