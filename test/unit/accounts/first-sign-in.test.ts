import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../core/fake-clock";
import { WrenError } from "../../../main/shared/errors";
import { createAccountManager, type AccountManager } from "../../../main/accounts/account-manager";
import {
  load as loadSettings,
  save as saveSettings,
  SETTINGS_VERSION,
} from "../../../main/accounts/settings-file";
import { configureLogging } from "../../../main/shared/log";
import { fakeSessions, recordingStore } from "./fake-sessions";

const PASSWORD = "correct horse battery staple";
const TOKEN = {
  mechanism: "HT-SHA-256-NONE",
  token: "s3cr3t-token",
  expiry: "2099-01-01T00:00:00Z",
};
const PIN = { mechanism: "SCRAM-SHA-256", channelBinding: false };

let dir: string;
let path: string;
const managers: AccountManager[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-first-sign-in-"));
  path = join(dir, "accounts.json");
  configureLogging({ sinks: [] });
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.dispose()));
  await rm(dir, { recursive: true, force: true });
});

function start(options: { clock?: FakeClock } = {}) {
  const sessions = fakeSessions({ "alice@example.org": "manual" });
  const credentials = recordingStore();
  const manager = createAccountManager({
    settingsPath: path,
    credentials,
    createSession: sessions.createSession,
    ...(options.clock && { clock: options.clock, backoff: { jitter: "none" as const } }),
  });
  managers.push(manager);
  return { manager, sessions, credentials };
}

const alice = {
  jid: "alice@example.org",
  password: PASSWORD,
  directTls: false,
  savePassword: true,
};

describe("what the first sign-in of an account being added learns", () => {
  it("is saved with the account once it is added, not before", async () => {
    const { manager, sessions, credentials } = start();
    await manager.load();
    const adding = manager.add(alice);
    await vi.waitFor(() => expect(sessions.created).toHaveLength(1));
    const session = sessions.latest("alice@example.org");
    session.events.emit("mechanismPinned", PIN);
    session.events.emit("fastToken", TOKEN);
    expect(credentials.calls).toEqual([]);
    expect(await readdir(dir)).toEqual([]);

    session.finish();
    const account = await adding;
    await vi.waitFor(() =>
      expect(credentials.calls).toEqual([`set ${account.id}`, `set ${account.id}.fast`]),
    );
    expect((await loadSettings(path)).settings.accounts[0]?.mechanismPin).toEqual(PIN);
    expect(account.settings.mechanismPin).toEqual(PIN);
  });

  it("is not kept anywhere when adding fails", async () => {
    const { manager, sessions, credentials } = start();
    await manager.load();
    const adding = manager.add(alice);
    await vi.waitFor(() => expect(sessions.created).toHaveLength(1));
    const session = sessions.latest("alice@example.org");
    session.events.emit("mechanismPinned", PIN);
    session.events.emit("fastToken", TOKEN);
    session.finish(new WrenError("auth-failed", "The server signed you in as someone else."));

    await expect(adding).rejects.toMatchObject({ code: "auth-failed" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(credentials.calls).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("retrying a sign-in that failed at start-up", () => {
  it("waits longer after each failure, and starts over once a sign-in worked", async () => {
    await saveSettings(path, {
      version: SETTINGS_VERSION,
      accounts: [
        {
          id: "a1",
          jid: "alice@example.org",
          directTls: false,
          enabled: true,
          passwordStorage: "keychain",
        },
      ],
    });
    const clock = new FakeClock();
    const { manager, sessions, credentials } = start({ clock });
    await credentials.inner.set("a1", PASSWORD);
    await manager.load();
    const session = sessions.latest("alice@example.org");
    const offline = () => new WrenError("host-not-found", "The server could not be found.");

    await vi.waitFor(() => expect(session.starts).toBe(1));
    session.finish(offline());
    await vi.waitFor(() => expect(clock.pending()).toEqual([1000]));
    clock.advance(1000);
    await vi.waitFor(() => expect(session.starts).toBe(2));
    session.finish(offline());
    await vi.waitFor(() => expect(clock.pending()).toEqual([2000]));

    // The person asks: a sign-in now, and if it fails too, the next retry waits longer still.
    const reconnecting = manager.reconnect("a1");
    await vi.waitFor(() => expect(session.starts).toBe(3));
    session.finish(offline());
    await reconnecting;
    expect(clock.pending()).toEqual([4000]);

    clock.advance(4000);
    await vi.waitFor(() => expect(session.starts).toBe(4));
    session.finish();
    await vi.waitFor(() => expect(manager.accounts()[0]?.state.state).toBe("online"));
    expect(clock.pending()).toEqual([]);

    await manager.goOffline("a1");
    const again = manager.reconnect("a1");
    await vi.waitFor(() => expect(session.starts).toBe(5));
    session.finish(offline());
    await again;
    expect(clock.pending()).toEqual([1000]);
  });
});
