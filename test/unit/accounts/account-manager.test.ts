import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../core/fake-clock";
import { WrenError } from "../../../main/shared/errors";
import {
  createAccountManager,
  type AccountManager,
  type AccountManagerOptions,
  type AccountsChange,
  type NewAccount,
} from "../../../main/accounts/account-manager";
import {
  load as loadSettings,
  save as saveSettings,
  SETTINGS_VERSION,
  type AccountSettings,
} from "../../../main/accounts/settings-file";
import { MemoryHistory } from "../../../main/core/features/chat/memory-history";
import type {
  ChatHistory,
  DuplicateProbe,
  MessageRecord,
} from "../../../main/core/features/chat/message-record";
import { configureLogging } from "../../../main/shared/log";
import { fakeSessions, recordingStore } from "./fake-sessions";

const PASSWORD = "correct horse battery staple";

let dir: string;
let path: string;
let logLines: string[];
const managers: AccountManager[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-accounts-"));
  path = join(dir, "accounts.json");
  logLines = [];
  configureLogging({ sinks: [{ write: (line) => logLines.push(line) }], level: "debug" });
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.dispose()));
  configureLogging({ sinks: [] });
  await rm(dir, { recursive: true, force: true });
});

function managerWith(options: Partial<AccountManagerOptions> = {}) {
  const sessions = fakeSessions();
  const credentials = recordingStore();
  const manager = createAccountManager({
    settingsPath: path,
    credentials,
    createSession: sessions.createSession,
    ...options,
  });
  managers.push(manager);
  return { manager, sessions, credentials };
}

function newAccount(jid: string, extra: Partial<NewAccount> = {}): NewAccount {
  return { jid, password: PASSWORD, directTls: false, savePassword: true, ...extra };
}

async function accountsOnDisk(): Promise<AccountSettings[]> {
  return (await loadSettings(path)).settings.accounts;
}

async function writeAccounts(...accounts: AccountSettings[]): Promise<void> {
  await saveSettings(path, { version: SETTINGS_VERSION, accounts });
}

function stateOf(manager: AccountManager, id: string) {
  return manager.accounts().find((account) => account.id === id)?.state.state;
}

describe("add", () => {
  it("saves the account and its password only once signing in worked", async () => {
    const sessions = fakeSessions({ "alice@example.org": "manual" });
    const { manager, credentials } = managerWith({ createSession: sessions.createSession });
    await manager.load();

    const adding = manager.add(
      newAccount("Alice@Example.org", { resource: "laptop", priority: 5 }),
    );
    await vi.waitFor(() => expect(sessions.created).toHaveLength(1));
    expect(await accountsOnDisk()).toEqual([]);
    expect(credentials.calls.filter((c) => c.startsWith("set"))).toEqual([]);

    sessions.latest("alice@example.org").finish();
    const added = await adding;

    expect(added).toMatchObject({
      jid: "alice@example.org",
      enabled: true,
      needsPassword: false,
      state: { state: "online", jid: "alice@example.org", error: null },
    });
    expect(added.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(added.id).not.toContain("alice");
    expect(await accountsOnDisk()).toEqual([
      {
        id: added.id,
        jid: "alice@example.org",
        directTls: false,
        enabled: true,
        passwordStorage: "keychain",
        resource: "laptop",
        priority: 5,
      },
    ]);
    expect(await credentials.inner.get(added.id)).toBe(PASSWORD);
    expect(await readFile(path, "utf8")).not.toContain(PASSWORD);
    expect(manager.session(added.id)).toBe(sessions.latest("alice@example.org"));
    expect(JSON.stringify(manager.accounts())).not.toContain(PASSWORD);
  });

  it("a failed sign-in returns its error and saves nothing", async () => {
    const sessions = fakeSessions({ "alice@example.org": "auth-failed" });
    const { manager, credentials } = managerWith({ createSession: sessions.createSession });
    await manager.load();

    const failure = await manager.add(newAccount("alice@example.org")).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WrenError);
    expect(failure).toMatchObject({ code: "auth-failed" });
    expect(await readdir(dir)).toEqual([]);
    expect(credentials.calls).toEqual([]);
    expect(manager.accounts()).toEqual([]);
    expect(sessions.latest("alice@example.org").stops).toBe(1);
  });

  it("refuses an address that is already an account, also while it is being added", async () => {
    const sessions = fakeSessions({ "bob@example.org": "manual" });
    const { manager } = managerWith({ createSession: sessions.createSession });
    await manager.load();
    await manager.add(newAccount("alice@example.org"));

    await expect(manager.add(newAccount("ALICE@example.org"))).rejects.toMatchObject({
      code: "invalid-argument",
      message: "alice@example.org is already one of your accounts.",
    });
    const first = manager.add(newAccount("bob@example.org"));
    await expect(manager.add(newAccount("bob@example.org"))).rejects.toMatchObject({
      message: "bob@example.org is already one of your accounts.",
    });
    sessions.latest("bob@example.org").finish();
    await first;
    expect((await accountsOnDisk()).map((a) => a.jid)).toEqual([
      "alice@example.org",
      "bob@example.org",
    ]);
  });

  it("refuses bad input readably, before signing in", async () => {
    const { manager, sessions } = managerWith();
    await manager.load();
    await expect(manager.add(newAccount("not an address"))).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(manager.add(newAccount("a@example.org", { password: "" }))).rejects.toMatchObject({
      message: "Enter your password.",
    });
    await expect(manager.add(newAccount("a@example.org", { port: 70000 }))).rejects.toMatchObject({
      message: "The port must be a number from 1 to 65535.",
    });
    expect(sessions.created).toEqual([]);
  });

  it("without savePassword keeps the password in memory only", async () => {
    const { manager, credentials, sessions } = managerWith();
    await manager.load();
    const added = await manager.add(newAccount("alice@example.org", { savePassword: false }));
    expect(credentials.calls).toEqual([]);
    expect((await accountsOnDisk())[0]?.passwordStorage).toBe("none");

    // Reconnecting in this run needs no password; a new run asks for it.
    await manager.goOffline(added.id);
    await manager.reconnect(added.id);
    expect(stateOf(manager, added.id)).toBe("online");
    expect(sessions.latest("alice@example.org").starts).toBe(2);

    const next = managerWith();
    const report = await next.manager.load();
    expect(report.needPassword).toEqual([added.id]);
  });

  it("is refused before load(), so an existing file is never replaced", async () => {
    const { manager } = managerWith();
    await expect(manager.add(newAccount("alice@example.org"))).rejects.toBeInstanceOf(WrenError);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("remove", () => {
  it("stops the session, deletes the saved password and the settings entry", async () => {
    const { manager, credentials, sessions } = managerWith();
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    const bob = await manager.add(newAccount("bob@example.org"));
    const changes: AccountsChange[] = [];
    manager.on("accounts", (change) => changes.push(change));

    await manager.remove(alice.id);

    expect(sessions.latest("alice@example.org").stops).toBe(1);
    expect(credentials.calls).toContain(`delete ${alice.id}`);
    expect(await credentials.inner.get(alice.id)).toBeNull();
    expect(await credentials.inner.get(bob.id)).toBe(PASSWORD);
    expect((await accountsOnDisk()).map((a) => a.id)).toEqual([bob.id]);
    expect(manager.accounts().map((a) => a.id)).toEqual([bob.id]);
    expect(manager.session(alice.id)).toBeNull();
    expect(changes.at(-1)).toEqual({ kind: "removed", accountId: alice.id, account: null });
    expect(stateOf(manager, bob.id)).toBe("online");
    await expect(manager.remove(alice.id)).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("while signing in: waits for nothing, cancels the sign-in and removes", async () => {
    const sessions = fakeSessions({ "alice@example.org": "manual" });
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
    });
    const { manager, credentials } = managerWith({ createSession: sessions.createSession });
    await credentials.inner.set("a1", PASSWORD);
    await manager.load();
    await vi.waitFor(() => expect(stateOf(manager, "a1")).toBe("connecting"));

    await manager.remove("a1");
    expect(await accountsOnDisk()).toEqual([]);
    expect(await credentials.inner.get("a1")).toBeNull();
  });

  it("keeps the account when its saved password cannot be deleted, and says so", async () => {
    const credentials = recordingStore({ delete: true });
    const { manager } = managerWith({ credentials });
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    await expect(manager.remove(alice.id)).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringMatching(/^alice@example\.org was not removed/),
    });
    expect((await accountsOnDisk()).map((a) => a.id)).toEqual([alice.id]);
  });

  it("deletes what a first sign-in kept when the account then cannot be saved", async () => {
    const removeLocalData = vi.fn(async (_accountId: string) => {});
    const { manager } = managerWith({
      removeLocalData,
      credentials: recordingStore({ set: true }),
    });
    await manager.load();
    await expect(manager.add(newAccount("alice@example.org"))).rejects.toMatchObject({
      code: "not-available",
    });
    expect(manager.accounts()).toEqual([]);
    expect(removeLocalData).toHaveBeenCalledTimes(1);
    expect(removeLocalData.mock.calls[0]?.[0]).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("calls the local-data hook with the account id", async () => {
    const removeLocalData = vi.fn(async () => {
      throw new Error("disk full");
    });
    const { manager } = managerWith({ removeLocalData });
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    await manager.remove(alice.id);
    expect(removeLocalData).toHaveBeenCalledWith(alice.id);
    expect(await accountsOnDisk()).toEqual([]);
  });
});

describe("enable and disable", () => {
  it("are saved; disable goes offline, enable signs in", async () => {
    const { manager, sessions, credentials } = managerWith();
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));

    await manager.setEnabled(alice.id, false);
    expect((await accountsOnDisk())[0]?.enabled).toBe(false);
    expect(sessions.latest("alice@example.org").stops).toBe(1);
    expect(manager.accounts()[0]).toMatchObject({
      enabled: false,
      state: { state: "offline", error: null },
    });
    expect(manager.session(alice.id)).toBeNull();

    // A new run leaves the disabled account offline, without even reading its password.
    credentials.calls.length = 0;
    const next = managerWith({ credentials });
    await next.manager.load();
    expect(next.sessions.created).toEqual([]);
    expect(credentials.calls).toEqual([]);

    const enabled = await next.manager.setEnabled(alice.id, true);
    expect(enabled.state.state).toBe("online");
    expect((await accountsOnDisk())[0]?.enabled).toBe(true);
    expect(next.sessions.latest("alice@example.org").options.password).toBe(PASSWORD);
  });
});

describe("load", () => {
  it("signs in enabled accounts with saved passwords and reports the others as needing one", async () => {
    await writeAccounts(
      {
        id: "a1",
        jid: "alice@example.org",
        directTls: false,
        enabled: true,
        passwordStorage: "keychain",
      },
      {
        id: "b2",
        jid: "bob@example.org",
        directTls: true,
        enabled: true,
        passwordStorage: "keychain",
      },
      {
        id: "c3",
        jid: "carol@example.org",
        directTls: false,
        enabled: true,
        passwordStorage: "none",
      },
      {
        id: "d4",
        jid: "dave@example.org",
        directTls: false,
        enabled: false,
        passwordStorage: "keychain",
      },
    );
    const { manager, credentials, sessions } = managerWith();
    await credentials.inner.set("a1", PASSWORD);
    await credentials.inner.set("d4", "dave's");

    const report = await manager.load();

    expect(report).toEqual({ needPassword: ["b2", "c3"] });
    await vi.waitFor(() => expect(stateOf(manager, "a1")).toBe("online"));
    expect(sessions.created.map((s) => s.jid)).toEqual(["alice@example.org"]);
    expect(credentials.calls).not.toContain("get c3");
    expect(credentials.calls).not.toContain("get d4");
    const bob = manager.accounts().find((a) => a.id === "b2");
    expect(bob).toMatchObject({
      needsPassword: true,
      state: {
        state: "offline",
        error: {
          code: "not-signed-in",
          message: "Enter the password for bob@example.org to sign in.",
        },
      },
    });
    await expect(manager.reconnect("b2")).rejects.toMatchObject({ code: "not-signed-in" });

    // Entering the password signs in, and (saved as before) puts it in the store.
    const updated = await manager.update("b2", { password: "bob's" });
    expect(updated).toMatchObject({ needsPassword: false, state: { state: "online" } });
    expect(await credentials.inner.get("b2")).toBe("bob's");
    expect(sessions.latest("bob@example.org").options).toMatchObject({ directTls: true });
  });

  it("reports a damaged file and keeps it aside", async () => {
    await writeFile(path, "{ not json");
    const { manager } = managerWith();
    const report = await manager.load();
    expect(report.problem).toMatchObject({ kind: "damaged" });
    expect(report.problem?.keptAsidePath).toMatch(/accounts\.json\.damaged-/);
    expect(await readFile(report.problem?.keptAsidePath ?? "", "utf8")).toBe("{ not json");
    expect(manager.accounts()).toEqual([]);
  });

  it("a credential store that fails leaves its reason on the account", async () => {
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
    });
    const { manager } = managerWith({ credentials: recordingStore({ get: true }) });
    expect(await manager.load()).toEqual({ needPassword: ["a1"] });
    expect(manager.accounts()[0]?.state.error).toEqual({
      code: "not-available",
      message: "Wren could not reach your system keychain.",
    });
  });
});

describe("update", () => {
  it("reconnects only the changed account, and only for a connection change", async () => {
    const { manager, sessions } = managerWith();
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    const bob = await manager.add(newAccount("bob@example.org"));
    const bobSession = sessions.latest("bob@example.org");
    const firstAlice = sessions.latest("alice@example.org");

    await manager.update(alice.id, { savePassword: true });
    expect(sessions.created).toHaveLength(2);

    // Priority travels in presence: the account signs in again to send it.
    await manager.update(alice.id, { priority: 3 });
    expect((await accountsOnDisk())[0]?.priority).toBe(3);
    expect(sessions.latest("alice@example.org").options.priority).toBe(3);

    expect(firstAlice.stops).toBe(1);
    const updated = await manager.update(alice.id, { host: "xmpp.example.org", port: 5223 });
    expect(sessions.latest("alice@example.org").options).toMatchObject({
      host: "xmpp.example.org",
      port: 5223,
      password: PASSWORD,
    });
    expect(updated.state.state).toBe("online");
    expect(bobSession.stops).toBe(0);
    expect(stateOf(manager, bob.id)).toBe("online");

    await manager.update(alice.id, { host: null, port: null });
    expect((await accountsOnDisk())[0]).not.toHaveProperty("host");
  });

  it("stops saving the password when asked, and deletes the saved one", async () => {
    const { manager, credentials } = managerWith();
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    await manager.update(alice.id, { savePassword: false });
    expect(await credentials.inner.get(alice.id)).toBeNull();
    expect((await accountsOnDisk())[0]?.passwordStorage).toBe("none");
    await manager.update(alice.id, { savePassword: true });
    expect(await credentials.inner.get(alice.id)).toBe(PASSWORD);
  });
});

describe("message history", () => {
  // Not one of the accounts: a message from an account's own address is not a chat message.
  const PEER = "dave@example.org";

  /** The store shared by all accounts, as the database would be: it records what reaches it. */
  function recordingHistory() {
    const added: MessageRecord[] = [];
    const deleted: string[] = [];
    class Recording extends MemoryHistory {
      override async add(message: MessageRecord): Promise<void> {
        added.push(message);
        return super.add(message);
      }
      override async addUnlessDuplicate(message: MessageRecord, probe: DuplicateProbe) {
        const duplicate = await super.addUnlessDuplicate(message, probe);
        if (!duplicate) added.push(message);
        return duplicate;
      }
      override async deleteConversation(accountId: string, conversation: string) {
        deleted.push(`${accountId} ${conversation}`);
        return super.deleteConversation(accountId, conversation);
      }
    }
    const history: ChatHistory = new Recording();
    /** The bodies stored for the account `id`. */
    const bodies = (id: string) => added.filter((m) => m.accountId === id).map((m) => m.body);
    return { history, bodies, deleted };
  }

  /** A chat message from PEER, as the account's session hands it to the chat feature. */
  async function receive(manager: AccountManager, id: string, body: string): Promise<void> {
    const chat = manager.state(id)!.chat;
    chat.message(
      xml("message", { from: `${PEER}/phone`, type: "chat", id: body }, xml("body", {}, body)),
    );
    await chat.settled();
  }

  async function shown(manager: AccountManager, id: string): Promise<string[]> {
    return (await manager.state(id)!.chat.history(PEER, {}, 10)).map((m) => m.body);
  }

  it("keeps an account's messages in the shared store, under its id, by default", async () => {
    const store = recordingHistory();
    const { manager } = managerWith({ history: store.history });
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));

    await receive(manager, alice.id, "hello");
    expect(store.bodies(alice.id)).toEqual(["hello"]);
    expect(alice.settings).not.toHaveProperty("keepHistory");
    expect((await accountsOnDisk())[0]).not.toHaveProperty("keepHistory");
  });

  it("keeps the messages of an account that keeps no history in memory only", async () => {
    const store = recordingHistory();
    const { manager } = managerWith({ history: store.history });
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org", { keepHistory: false }));
    const bob = await manager.add(newAccount("bob@example.org", { keepHistory: true }));

    await receive(manager, alice.id, "fleeting");
    await receive(manager, bob.id, "kept");
    expect(store.bodies(alice.id)).toEqual([]);
    expect(await shown(manager, alice.id)).toEqual(["fleeting"]);
    expect(store.bodies(bob.id)).toEqual(["kept"]);
    expect(alice.settings.keepHistory).toBe(false);
    expect((await accountsOnDisk()).map((account) => account.keepHistory)).toEqual([
      false,
      undefined,
    ]);
  });

  it("switches where new messages go when the setting changes, without signing in again", async () => {
    const store = recordingHistory();
    const { manager, sessions } = managerWith({ history: store.history });
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    await receive(manager, alice.id, "one");

    const off = await manager.update(alice.id, { keepHistory: false });
    expect(off.settings.keepHistory).toBe(false);
    expect((await accountsOnDisk())[0]?.keepHistory).toBe(false);
    await receive(manager, alice.id, "two");
    expect(store.bodies(alice.id)).toEqual(["one"]);
    expect(await shown(manager, alice.id)).toEqual(["two"]);
    // What was stored stays stored, and deleting the conversation still reaches it.
    expect(store.deleted).toEqual([]);
    await manager.state(alice.id)!.chat.deleteHistory(PEER);
    expect(store.deleted).toEqual([`${alice.id} ${PEER}`]);

    await manager.update(alice.id, { keepHistory: true });
    expect((await accountsOnDisk())[0]).not.toHaveProperty("keepHistory");
    await receive(manager, alice.id, "three");
    expect(store.bodies(alice.id)).toEqual(["one", "three"]);

    expect(sessions.created).toHaveLength(1);
    expect(sessions.latest("alice@example.org").stops).toBe(0);
  });

  it("after a restart, keeps history as each account's saved setting says", async () => {
    const account = { directTls: false, enabled: true, passwordStorage: "none" } as const;
    await writeAccounts(
      { ...account, id: "a1", jid: "alice@example.org", keepHistory: false },
      { ...account, id: "b2", jid: "bob@example.org" },
    );
    const store = recordingHistory();
    const { manager } = managerWith({ history: store.history });
    await manager.load();
    expect(manager.accounts().map((a) => a.settings.keepHistory)).toEqual([false, undefined]);

    await receive(manager, "a1", "fleeting");
    await receive(manager, "b2", "kept");
    expect(store.bodies("a1")).toEqual([]);
    expect(store.bodies("b2")).toEqual(["kept"]);
  });

  it("refuses a keepHistory that is not a boolean, changing nothing", async () => {
    const { manager } = managerWith();
    await manager.load();
    const message = "Choose whether to keep message history.";
    await expect(
      manager.add(newAccount("alice@example.org", { keepHistory: "no" as unknown as boolean })),
    ).rejects.toMatchObject({ code: "invalid-argument", message });
    const alice = await manager.add(newAccount("alice@example.org"));
    await expect(
      manager.update(alice.id, { keepHistory: 0 as unknown as boolean }),
    ).rejects.toMatchObject({ code: "invalid-argument", message });
    expect((await accountsOnDisk())[0]).not.toHaveProperty("keepHistory");
  });
});

describe("one account's failure stays with it", () => {
  it("a session that throws or rejects from every method never reaches the others", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await writeAccounts(
        {
          id: "a1",
          jid: "alice@example.org",
          directTls: false,
          enabled: true,
          passwordStorage: "keychain",
        },
        {
          id: "h2",
          jid: "hostile@example.org",
          directTls: false,
          enabled: true,
          passwordStorage: "keychain",
        },
        {
          id: "x3",
          jid: "broken@example.org",
          directTls: false,
          enabled: true,
          passwordStorage: "keychain",
        },
        {
          id: "b4",
          jid: "bob@example.org",
          directTls: false,
          enabled: true,
          passwordStorage: "keychain",
        },
      );
      const sessions = fakeSessions({
        "hostile@example.org": "hostile",
        "broken@example.org": "throws",
      });
      const { manager, credentials } = managerWith({ createSession: sessions.createSession });
      for (const id of ["a1", "h2", "x3", "b4"]) await credentials.inner.set(id, PASSWORD);
      const messages: string[] = [];
      manager.on("message", ({ accountId, message }) =>
        messages.push(`${accountId}:${message.body}`),
      );
      manager.on("state", () => {
        throw new Error("a listener that throws");
      });

      await manager.load();
      await vi.waitFor(() => {
        expect(stateOf(manager, "a1")).toBe("online");
        expect(stateOf(manager, "b4")).toBe("online");
      });
      const states = () => Object.fromEntries(manager.accounts().map((a) => [a.id, a.state]));
      expect(states()).toMatchObject({
        h2: { state: "error", error: { code: "internal" } },
        x3: { state: "offline", error: { code: "internal" } },
      });

      for (const id of ["h2", "x3"]) {
        await manager.reconnect(id).catch(() => undefined);
        await manager.goOffline(id).catch(() => undefined);
        await manager.update(id, { resource: "desk" }).catch(() => undefined);
        await manager.setEnabled(id, false).catch(() => undefined);
        await manager.setEnabled(id, true).catch(() => undefined);
      }
      await manager.reconnect();
      await manager.goOffline();
      await manager.reconnect();
      await expect(manager.add(newAccount("broken@example.org"))).rejects.toBeInstanceOf(WrenError);
      await expect(manager.add(newAccount("hostile2@example.org"))).resolves.toBeDefined();

      expect(stateOf(manager, "a1")).toBe("online");
      expect(stateOf(manager, "b4")).toBe("online");
      sessions.latest("alice@example.org").emitMessage("hi");
      expect(messages).toEqual(["a1:hi"]);

      await manager.remove("h2");
      await manager.remove("x3");
      expect((await accountsOnDisk()).map((a) => a.id)).toEqual(["a1", "b4", expect.any(String)]);
      expect(stateOf(manager, "a1")).toBe("online");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("a lost connection shows as state of that account only, tagged with its id", async () => {
    const { manager, sessions } = managerWith();
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    const bob = await manager.add(newAccount("bob@example.org"));
    const seen: string[] = [];
    manager.on("state", ({ accountId, state }) => seen.push(`${accountId}:${state.state}`));

    sessions.latest("alice@example.org").lose();
    expect(seen).toEqual([`${alice.id}:connecting`]);
    expect(stateOf(manager, bob.id)).toBe("online");

    await manager.reconnect(alice.id);
    expect(sessions.latest("alice@example.org").reconnectNows).toBe(1);
  });
});

describe("secrets", () => {
  it("no password in logs, summaries or events", async () => {
    const { manager } = managerWith();
    const everything: unknown[] = [];
    for (const event of ["accounts", "state", "message"] as const) {
      manager.on(event, (value: unknown) => everything.push(value));
    }
    await manager.load();
    const alice = await manager.add(newAccount("alice@example.org"));
    await manager.update(alice.id, { password: "a new secret" });
    await manager.add(newAccount("bob@example.org")).catch(() => undefined);
    await manager.remove(alice.id);
    const all = JSON.stringify([everything, manager.accounts(), logLines]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain("a new secret");
  });
});

describe("a sign-in that fails at start-up", () => {
  async function startWith(behaviour: "manual") {
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
    });
    const clock = new FakeClock();
    const sessions = fakeSessions({ "alice@example.org": behaviour });
    const credentials = recordingStore();
    await credentials.inner.set("a1", PASSWORD);
    const manager = createAccountManager({
      settingsPath: path,
      credentials,
      createSession: sessions.createSession,
      clock,
      backoff: { jitter: "none" },
    });
    managers.push(manager);
    await manager.load();
    const session = sessions.latest("alice@example.org");
    await vi.waitFor(() => expect(session.starts).toBe(1));
    return { manager, clock, session };
  }

  it("is tried again on the backoff schedule when time can fix it (no network yet)", async () => {
    const { manager, clock, session } = await startWith("manual");
    session.finish(new WrenError("host-not-found", "The server example.org could not be found."));
    await vi.waitFor(() => expect(stateOf(manager, "a1")).toBe("error"));
    await vi.waitFor(() => expect(clock.pending()).toEqual([1000]));

    clock.advance(999);
    expect(session.starts).toBe(1);
    clock.advance(1);
    await vi.waitFor(() => expect(session.starts).toBe(2));
    session.finish();
    await vi.waitFor(() => expect(stateOf(manager, "a1")).toBe("online"));
  });

  it("is not tried again when it needs the person (wrong password)", async () => {
    const { clock, session } = await startWith("manual");
    session.finish(new WrenError("auth-failed", "The server rejected the address or password."));
    // The manager logs the failure and, in the same step, schedules a retry or not.
    await vi.waitFor(() => expect(logLines.join("\n")).toContain("signing in failed"));
    expect(clock.pending()).toEqual([]);
    clock.advance(120_000);
    expect(session.starts).toBe(1);
  });

  it("stops being retried once the person goes offline", async () => {
    const { manager, clock, session } = await startWith("manual");
    session.finish(new WrenError("connection-refused", "The server refused the connection."));
    await vi.waitFor(() => expect(clock.pending()).toHaveLength(1));
    await manager.goOffline("a1");
    expect(clock.pending()).toHaveLength(0);
    clock.advance(120_000);
    expect(session.starts).toBe(1);
  });
});

describe("security records", () => {
  const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
    i.toString(16).padStart(2, "0").toUpperCase(),
  ).join(":");
  const certificate = {
    subject: "CN=example.org",
    issuer: "CN=example.org",
    validFrom: "2026-01-01T00:00:00.000Z",
    validTo: "2027-01-01T00:00:00.000Z",
    fingerprint: FINGERPRINT,
    names: ["example.org"],
    problem: "The certificate is self-signed.",
  };
  const untrusted = () =>
    new WrenError("certificate-untrusted", "Wren cannot verify the certificate.", { certificate });

  it("keeps the mechanism pin learned while adding, and a stronger one learned later", async () => {
    const { manager, sessions } = managerWith();
    await manager.load();
    const adding = manager.add(newAccount("alice@example.org"));
    await vi.waitFor(() => sessions.latest("alice@example.org"));
    const session = sessions.latest("alice@example.org");
    session.events.emit("mechanismPinned", { mechanism: "SCRAM-SHA-1", channelBinding: false });
    const account = await adding;
    expect((await accountsOnDisk())[0]?.mechanismPin).toEqual({
      mechanism: "SCRAM-SHA-1",
      channelBinding: false,
    });

    session.events.emit("mechanismPinned", {
      mechanism: "SCRAM-SHA-256-PLUS",
      channelBinding: true,
    });
    await vi.waitFor(async () =>
      expect((await accountsOnDisk())[0]?.mechanismPin).toEqual({
        mechanism: "SCRAM-SHA-256-PLUS",
        channelBinding: true,
      }),
    );
    // The next session of the account starts from the pin.
    await manager.update(account.id, { resource: "laptop" });
    expect(sessions.latest("alice@example.org").options.security).toEqual({
      mechanismPin: { mechanism: "SCRAM-SHA-256-PLUS", channelBinding: true },
    });
  });

  it("adds an account with the certificate the person trusted", async () => {
    const { manager, sessions } = managerWith();
    await manager.load();
    await manager.add(
      newAccount("alice@example.org", { trustedCertificate: FINGERPRINT.toLowerCase() }),
    );
    expect(sessions.latest("alice@example.org").options.security).toEqual({
      trustedCertificate: FINGERPRINT,
    });
    expect((await accountsOnDisk())[0]?.trustedCertificate).toBe(FINGERPRINT);
  });

  it("trusts only the certificate the last sign-in was refused for, then signs in with it", async () => {
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
    });
    const { manager: loaded, sessions: made, credentials } = managerWith();
    await credentials.set("a1", PASSWORD);
    await loaded.load();
    const first = made.latest("alice@example.org");
    // Its sign-in was refused for the certificate.
    vi.spyOn(first, "state").mockReturnValue({
      state: "error",
      jid: "alice@example.org",
      error: untrusted().toUserError(),
    });

    await expect(loaded.trustCertificate("a1", "00:11")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    const other = Array.from({ length: 32 }, () => "FF").join(":");
    await expect(loaded.trustCertificate("a1", other)).rejects.toMatchObject({
      code: "invalid-argument",
      message: expect.stringMatching(/not the certificate the server showed/),
    });

    const account = await loaded.trustCertificate("a1", FINGERPRINT);
    expect(account.state.state).toBe("online");
    expect((await accountsOnDisk())[0]?.trustedCertificate).toBe(FINGERPRINT);
    const second = made.latest("alice@example.org");
    expect(second).not.toBe(first);
    expect(second.options.security).toEqual({ trustedCertificate: FINGERPRINT });
  });
});

describe("client certificate accounts (SASL EXTERNAL)", () => {
  const certificate = {
    kind: "pem" as const,
    pem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n",
  };

  it("keeps the certificate like a password and signs in with it after a restart", async () => {
    const { manager, sessions, credentials } = managerWith();
    await manager.load();
    const account = await manager.add({
      jid: "alice@example.org",
      clientCertificate: certificate,
      directTls: false,
      savePassword: true,
    });
    expect(sessions.latest("alice@example.org").options).toMatchObject({
      clientCertificate: certificate,
    });
    expect(sessions.latest("alice@example.org").options.password).toBeUndefined();
    expect((await accountsOnDisk())[0]?.authentication).toBe("client-certificate");
    expect(await readFile(path, "utf8")).not.toContain("PRIVATE KEY");
    expect(await credentials.get(account.id)).toContain("PRIVATE KEY");

    const again = managerWith({ credentials });
    await again.manager.load();
    expect(again.sessions.latest("alice@example.org").options).toMatchObject({
      clientCertificate: certificate,
    });
  });

  it("reports a damaged stored certificate on the account instead of signing in", async () => {
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
      authentication: "client-certificate",
    });
    const { manager, sessions, credentials } = managerWith();
    await credentials.set("a1", "not a certificate");
    await manager.load();
    expect(sessions.created).toHaveLength(0);
    expect(manager.accounts()[0]?.state.error).toMatchObject({
      code: "auth-failed",
      message: expect.stringMatching(/certificate .*cannot be read/),
    });
  });
});

describe("FAST tokens (XEP-0484)", () => {
  const token = {
    mechanism: "HT-SHA-256-NONE",
    token: "s3cr3t-token",
    expiry: "2099-01-01T00:00:00Z",
  };

  it("keeps a token with the password, hands it to the next session and forgets it on removal", async () => {
    const { manager, sessions, credentials } = managerWith();
    await manager.load();
    const adding = manager.add(newAccount("alice@example.org"));
    await vi.waitFor(() => sessions.latest("alice@example.org"));
    sessions.latest("alice@example.org").events.emit("fastToken", token);
    const account = await adding;
    await vi.waitFor(async () =>
      expect(JSON.parse((await credentials.get(`${account.id}.fast`)) ?? "null")).toEqual(token),
    );
    expect(await readFile(path, "utf8")).not.toContain("s3cr3t");

    const again = managerWith({ credentials });
    await again.manager.load();
    const next = again.sessions.latest("alice@example.org").options;
    expect(next.fastToken).toEqual(token);
    expect(next.userAgentId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(next.userAgentId).toBe(sessions.latest("alice@example.org").options.userAgentId);

    again.sessions.latest("alice@example.org").events.emit("fastToken", null);
    await vi.waitFor(async () => expect(await credentials.get(`${account.id}.fast`)).toBeNull());
    again.sessions.latest("alice@example.org").events.emit("fastToken", token);
    await vi.waitFor(async () =>
      expect(await credentials.get(`${account.id}.fast`)).not.toBeNull(),
    );
    await again.manager.remove(account.id);
    expect(await credentials.get(`${account.id}.fast`)).toBeNull();
  });
});

describe("accepting a weaker sign-in", () => {
  it("forgets the pin only after a refused downgrade, then signs in again", async () => {
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
      mechanismPin: { mechanism: "SCRAM-SHA-256", channelBinding: false },
    });
    const { manager, sessions, credentials } = managerWith();
    await credentials.set("a1", PASSWORD);
    await manager.load();
    const first = sessions.latest("alice@example.org");

    await expect(manager.acceptWeakerSignIn("a1")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    expect((await accountsOnDisk())[0]?.mechanismPin).toBeDefined();

    vi.spyOn(first, "state").mockReturnValue({
      state: "error",
      jid: "alice@example.org",
      error: { code: "auth-downgrade", message: "weaker" },
    });
    const account = await manager.acceptWeakerSignIn("a1");
    expect(account.state.state).toBe("online");
    expect((await accountsOnDisk())[0]?.mechanismPin).toBeUndefined();
    const second = sessions.latest("alice@example.org");
    expect(second).not.toBe(first);
    expect(second.options.security).toEqual({});
  });
});

describe("forgetting a trusted certificate", () => {
  it("removes it from the account and signs in again without it", async () => {
    const trustedCertificate = Array.from({ length: 32 }, () => "CD").join(":");
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
      trustedCertificate,
    });
    const { manager, sessions, credentials } = managerWith();
    await credentials.set("a1", PASSWORD);
    await manager.load();
    expect(sessions.latest("alice@example.org").options.security).toEqual({ trustedCertificate });

    const account = await manager.forgetTrustedCertificate("a1");
    expect(account.settings.trustedCertificate).toBeUndefined();
    expect((await accountsOnDisk())[0]?.trustedCertificate).toBeUndefined();
    expect(sessions.latest("alice@example.org").options.security).toEqual({});
  });
});

describe("a FAST token that cannot be read", () => {
  it("does not keep the account from signing in with its password", async () => {
    await writeAccounts({
      id: "a1",
      jid: "alice@example.org",
      directTls: false,
      enabled: true,
      passwordStorage: "keychain",
    });
    const { manager, sessions, credentials } = managerWith();
    await credentials.set("a1", PASSWORD);
    const get = credentials.get.bind(credentials);
    vi.spyOn(credentials, "get").mockImplementation(async (key: string) => {
      if (key.endsWith(".fast")) throw new WrenError("not-available", "keychain hiccup");
      return get(key);
    });
    await manager.load();
    const options = sessions.latest("alice@example.org").options;
    expect(options.password).toBe(PASSWORD);
    expect(options.fastToken).toBeNull();
  });
});
