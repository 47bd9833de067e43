// The composition root, built for real with a temporary data folder, an in-memory "keychain" and
// fake sessions. This file does not mock electron: that it loads at all proves main/app.ts (and
// everything it imports) runs under plain Node, as the preview needs.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WrenEvent } from "../../preload/contract";
import { createApp, type App, type AppDeps } from "../../main/app";
import { ManualSignals } from "../../main/core/connectivity";
import type { SessionOptions } from "../../main/core/session-api";
import type { Clock } from "../../main/shared/clock";
import { configureLogging } from "../../main/shared/log";
import { fakeSessions, recordingStore } from "./accounts/fake-sessions";
import { captureLog } from "./credentials/capture-log";

captureLog();
const dirs: string[] = [];
const apps: App[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(overrides: Partial<AppDeps> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), "wren-app-"));
  dirs.push(dataDir);
  const sessions = fakeSessions();
  const sessionOptions: SessionOptions[] = [];
  const keychain = recordingStore();
  const app = createApp({
    dataDir,
    credentials: {
      safeStorage: null,
      platform: "linux",
      probeKeychain: async () => ({ available: true }),
      createKeychainStore: () => keychain,
    },
    openExternal: async () => {},
    chooseCertificateFile: async () => null,
    files: {
      downloadsDir: join(dataDir, "Downloads"),
      openPath: async () => {},
      showInFolder: async () => {},
    },
    createSession: (options) => {
      sessionOptions.push(options);
      return sessions.createSession(options);
    },
    eventWindowMs: 0,
    ...overrides,
  });
  apps.push(app);
  const events: WrenEvent[] = [];
  app.service.onEvents((batch) => events.push(...batch));
  return { app, dataDir, sessions, sessionOptions, keychain, events };
}

const alice = {
  jid: "alice@example.org",
  password: "correct horse",
  directTls: false,
  savePassword: true,
};

describe("createApp", () => {
  it("runs a command end to end: account saved, password kept, session signed in", async () => {
    const { app, dataDir, sessions, keychain, events } = await setup();
    await app.start();

    const added = await app.dispatch("addAccount", alice);
    expect(added).toMatchObject({ ok: true, value: { jid: "alice@example.org" } });
    const id = (added as { value: { id: string } }).value.id;

    await vi.waitFor(() => expect(sessions.latest("alice@example.org").starts).toBe(1));
    expect(sessions.latest("alice@example.org").options.password).toBe("correct horse");
    expect(keychain.calls).toContain(`set ${id}`);
    const settings = await readFile(join(dataDir, "accounts.json"), "utf8");
    expect(settings).toContain("alice@example.org");
    expect(settings).not.toContain("correct horse");

    const snapshot = await app.dispatch("snapshot", {});
    expect(snapshot).toMatchObject({
      ok: true,
      value: {
        accounts: [{ id, jid: "alice@example.org", state: { state: "online" } }],
        credentials: { kind: "keychain", ask: null },
        settingsProblem: null,
      },
    });
    await vi.waitFor(() =>
      expect(events).toContainEqual(
        expect.objectContaining({
          type: "account",
          account: expect.objectContaining({
            id,
            state: expect.objectContaining({ state: "online" }),
          }),
        }),
      ),
    );
  });

  it("checks every command's arguments against the contract", async () => {
    const { app } = await setup();
    expect(await app.dispatch("addAccount", { jid: "not an address" })).toMatchObject({
      ok: false,
      error: { code: "invalid-argument" },
    });
  });

  it("keeps the credential choice in the data folder", async () => {
    const { app, dataDir } = await setup({
      // Nothing works here: the person is asked, and the answer is saved next to accounts.json.
      credentials: {
        safeStorage: null,
        platform: "linux",
        probeKeychain: async () => ({ available: false, reason: "No keychain.", detail: "test" }),
      },
    });
    await app.start();
    expect(await app.dispatch("chooseCredentialStore", { kind: "none" })).toMatchObject({
      ok: true,
    });
    expect(JSON.parse(await readFile(join(dataDir, "credentials.json"), "utf8"))).toEqual({
      version: 1,
      kind: "none",
    });
  });

  it("gives every session the host's signals and clock", async () => {
    const signals = new ManualSignals();
    const clock: Clock = { now: () => 0, setTimeout: vi.fn(), clearTimeout: vi.fn() };
    const { app, sessionOptions } = await setup({ signals: () => signals, clock });
    await app.start();
    await app.dispatch("addAccount", alice);
    await vi.waitFor(() => expect(sessionOptions).toHaveLength(1));
    expect(sessionOptions[0]!.signals).toBe(signals);
    expect(sessionOptions[0]!.clock).toBe(clock);
  });

  it("signs out of every account when disposed, once however often it is asked", async () => {
    const { app, sessions } = await setup();
    await app.start();
    await app.dispatch("addAccount", alice);
    const session = sessions.latest("alice@example.org");
    await vi.waitFor(() => expect(session.state().state).toBe("online"));
    await Promise.all([app.dispose(), app.dispose()]);
    expect(session.stops).toBe(1);
    expect(session.state().state).toBe("offline");
  });

  it("with a host's logging, writes there and logs what nothing else caught", async () => {
    const before = {
      exception: process.listeners("uncaughtException"),
      rejection: process.listeners("unhandledRejection"),
    };
    const lines: string[] = [];
    try {
      await setup({ logging: { sinks: [{ write: (line) => lines.push(line) }], level: "info" } });
      const added = process
        .listeners("uncaughtException")
        .filter((l) => !before.exception.includes(l));
      expect(added).toHaveLength(1);
      added[0]!(new Error("boom"), "uncaughtException");
      expect(lines.join("")).toMatch(/uncaught exception[^]*boom/);
    } finally {
      for (const listener of process.listeners("uncaughtException")) {
        if (!before.exception.includes(listener)) {
          process.removeListener("uncaughtException", listener);
        }
      }
      for (const listener of process.listeners("unhandledRejection")) {
        if (!before.rejection.includes(listener)) {
          process.removeListener("unhandledRejection", listener);
        }
      }
      configureLogging({ sinks: [] });
    }
  });
});
