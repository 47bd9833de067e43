// The composition root, run against a fake `electron`: what happens before ready, with and without
// the single-instance lock, and how events, second instances and quitting are wired.
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { commandNames, EVENTS_CHANNEL, type WrenEvent } from "../../../preload/contract";

const fake = vi.hoisted(() => ({ current: undefined as unknown as FakeElectron }));

vi.mock("electron", () => ({
  get app() {
    return fake.current.app;
  },
  get BrowserWindow() {
    return fake.current.BrowserWindow;
  },
  get ipcMain() {
    return fake.current.ipcMain;
  },
  get dialog() {
    return fake.current.dialog;
  },
  get protocol() {
    return fake.current.protocol;
  },
  get session() {
    return fake.current.session;
  },
  get shell() {
    return fake.current.shell;
  },
  get screen() {
    return fake.current.screen;
  },
  get nativeTheme() {
    return fake.current.nativeTheme;
  },
  get powerMonitor() {
    return fake.current.powerMonitor;
  },
  get net() {
    return fake.current.net;
  },
  get safeStorage() {
    return fake.current.safeStorage;
  },
}));

vi.mock("../../../main/core/account-runtime", () => ({ createSession: vi.fn((options) => options) }));

vi.mock("../../../main/accounts/account-manager", () => ({
  createAccountManager: vi.fn((options: unknown) => ({ options })),
}));

vi.mock("../../../main/credentials/credential-choice", () => ({
  createCredentialChoice: vi.fn(() => ({ store: { kind: "none" } })),
}));

vi.mock("../../../main/api/service", () => ({
  createWrenService: vi.fn(() => fake.current.service),
}));

type FakeElectron = ReturnType<typeof createFakeElectron>;

function createFakeElectron(options: { gotLock: boolean; isPackaged: boolean; logs: string }) {
  const calls: string[] = [];
  let isReady = false;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const markReady = () => {
    isReady = true;
    resolveReady();
  };

  const app = Object.assign(new EventEmitter(), {
    isPackaged: options.isPackaged,
    enableSandbox: vi.fn(() => calls.push("enableSandbox")),
    requestSingleInstanceLock: vi.fn(() => options.gotLock),
    setAppUserModelId: vi.fn(),
    quit: vi.fn(() => calls.push("quit")),
    exit: vi.fn(),
    getVersion: () => "0.1.0",
    getPath: (name: string) => join(options.logs, name),
    whenReady: () => ready,
    isReady: () => isReady,
  });

  class FakeBrowserWindow extends EventEmitter {
    static instances: FakeBrowserWindow[] = [];
    static getAllWindows = () => FakeBrowserWindow.instances;
    readonly webContents = Object.assign(new EventEmitter(), { send: vi.fn() });
    readonly loadURL = vi.fn(async (_url: string) => {});
    readonly show = vi.fn();
    readonly focus = vi.fn();
    readonly restore = vi.fn();
    readonly maximize = vi.fn();
    isMinimized = () => false;
    isMaximized = () => false;
    isDestroyed = () => false;
    getNormalBounds = () => ({ x: 0, y: 0, width: 900, height: 700 });
    constructor(readonly options: Record<string, unknown>) {
      super();
      FakeBrowserWindow.instances.push(this);
    }
  }

  let eventListener: ((events: WrenEvent[]) => void) | undefined;
  const service = {
    handlers: Object.fromEntries(commandNames.map((name) => [name, vi.fn()])),
    onEvents: vi.fn((listener: (events: WrenEvent[]) => void) => {
      eventListener = listener;
      return () => {};
    }),
    start: vi.fn(async () => {}),
    dispose: vi.fn(async () => {}),
  };

  return {
    calls,
    markReady,
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    dialog: {
      showOpenDialog: vi.fn(async (..._args: unknown[]) => ({
        canceled: false,
        filePaths: ["/certs/alice.p12"],
      })),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(() => calls.push("registerSchemesAsPrivileged")),
      handle: vi.fn(),
    },
    session: {
      defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
    },
    shell: { openExternal: vi.fn(async () => {}) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] },
    nativeTheme: { shouldUseDarkColors: true },
    powerMonitor: new EventEmitter(),
    net: { isOnline: vi.fn(() => true) },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: vi.fn(),
      decryptString: vi.fn(),
    },
    service,
    emitServiceEvents: (events: WrenEvent[]) => eventListener?.(events),
  };
}

let dir: string;
let processListeners: { uncaughtException: unknown[]; unhandledRejection: unknown[] };

async function start(options: { gotLock?: boolean; isPackaged?: boolean } = {}) {
  fake.current = createFakeElectron({
    gotLock: options.gotLock ?? true,
    isPackaged: options.isPackaged ?? true,
    logs: dir,
  });
  vi.resetModules();
  await import("../../../main/index");
  return fake.current;
}

async function startReady(options: { gotLock?: boolean; isPackaged?: boolean } = {}) {
  const electron = await start(options);
  electron.markReady();
  await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1));
  const win = electron.BrowserWindow.instances[0]!;
  await vi.waitFor(() => expect(win.loadURL).toHaveBeenCalled());
  return { electron, win };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wren-index-"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  processListeners = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  vi.stubEnv("ELECTRON_RENDERER_URL", "http://localhost:5173");
});

afterEach(() => {
  vi.unstubAllEnvs();
  // index.ts logs uncaught errors; take its listeners off the test process again.
  for (const listener of process.listeners("uncaughtException")) {
    if (!processListeners.uncaughtException.includes(listener)) {
      process.removeListener("uncaughtException", listener);
    }
  }
  for (const listener of process.listeners("unhandledRejection")) {
    if (!processListeners.unhandledRejection.includes(listener)) {
      process.removeListener("unhandledRejection", listener);
    }
  }
});

describe("main/index.ts", () => {
  it("enables the sandbox and registers the app scheme before ready", async () => {
    const electron = await start();
    expect(electron.calls.slice(0, 2)).toEqual(["enableSandbox", "registerSchemesAsPrivileged"]);
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: "app", privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it("quits at once without the single-instance lock, wiring nothing", async () => {
    const electron = await start({ gotLock: false });
    electron.markReady();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(electron.app.quit).toHaveBeenCalledOnce();
    expect(electron.ipcMain.handle).not.toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it("on ready serves app://, sets permission handlers and opens a secure window on it", async () => {
    const { electron, win } = await startReady();
    expect(electron.protocol.handle).toHaveBeenCalledWith("app", expect.any(Function));
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(electron.session.defaultSession.setPermissionCheckHandler).toHaveBeenCalled();
    expect(win.options).toMatchObject({
      show: false,
      backgroundColor: "#1c1c1e",
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(
      /preload[/\\]index\.cjs$/,
    );
    // Packaged: the dev server variable is ignored.
    expect(win.loadURL).toHaveBeenCalledWith("app://wren/index.html");
    win.emit("ready-to-show");
    expect(win.show).toHaveBeenCalled();
  });

  it("loads the dev server when unpackaged", async () => {
    const { win } = await startReady({ isPackaged: false });
    expect(win.loadURL).toHaveBeenCalledWith("http://localhost:5173");
  });

  it("registers one IPC handler per command", async () => {
    const electron = await start();
    const channels = electron.ipcMain.handle.mock.calls.map((call) => call[0]);
    expect(channels.sort()).toEqual(commandNames.map((name) => `wren:${name}`).sort());
  });

  it("forwards each batch of service events to the window as one message", async () => {
    const { electron, win } = await startReady();
    const batch: WrenEvent[] = [
      { type: "subscription-request", accountId: "a1", jid: "bob@example.org" },
      { type: "own-presence", accountId: "a1", show: "away", status: "" },
    ];
    electron.emitServiceEvents(batch);
    expect(win.webContents.send).toHaveBeenCalledExactlyOnceWith(EVENTS_CHANNEL, batch);
  });

  it("gives every session the OS's wake-up and network signals", async () => {
    const electron = await startReady().then((started) => started.electron);
    const { createAccountManager } = await import("../../../main/accounts/account-manager");
    const deps = vi.mocked(createAccountManager).mock.lastCall![0];
    const options = deps.createSession({ jid: "a@example.org", password: "pw", directTls: false });
    const { signals } = options as unknown as { signals: { onResume(cb: () => void): () => void } };
    const resumed = vi.fn();
    signals.onResume(resumed);
    electron.powerMonitor.emit("resume");
    expect(resumed).toHaveBeenCalledOnce();
  });

  it("keeps accounts and the credential choice in userData, with Electron's safeStorage", async () => {
    const electron = await start();
    const { createAccountManager } = await import("../../../main/accounts/account-manager");
    const { createCredentialChoice } = await import("../../../main/credentials/credential-choice");
    const { createWrenService } = await import("../../../main/api/service");
    const userData = join(dir, "userData");
    expect(vi.mocked(createAccountManager).mock.lastCall![0]).toMatchObject({
      settingsPath: join(userData, "accounts.json"),
      credentials: { kind: "none" },
    });
    const choice = vi.mocked(createCredentialChoice).mock.lastCall![0];
    expect(choice.file).toBe(join(userData, "credentials.json"));
    expect(choice.safeStorage).toBe(electron.safeStorage);
    expect(vi.mocked(createWrenService).mock.lastCall![0]).toMatchObject({
      accounts: { options: expect.any(Object) },
      credentials: { store: { kind: "none" } },
    });
  });

  it("asks for certificate files with Electron's dialog, modal on the window", async () => {
    const { electron, win } = await startReady();
    const { createWrenService } = await import("../../../main/api/service");
    const { chooseCertificateFile } = vi.mocked(createWrenService).mock.lastCall![0];
    expect(await chooseCertificateFile("certificate")).toBe("/certs/alice.p12");
    expect(electron.dialog.showOpenDialog).toHaveBeenCalledWith(
      win,
      expect.objectContaining({ properties: expect.arrayContaining(["openFile"]) }),
    );
  });

  it("starts the service (credential store, then accounts) only once Electron is ready", async () => {
    const electron = await start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(electron.service.start).not.toHaveBeenCalled();
    electron.markReady();
    await vi.waitFor(() => expect(electron.service.start).toHaveBeenCalledOnce());
  });

  it("brings the window forward when Wren is started again", async () => {
    const { electron, win } = await startReady();
    electron.app.emit("second-instance", {}, [], "/");
    expect(win.show).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
  });

  it("opens only one window when activate arrives while the first is being made", async () => {
    const electron = await start();
    electron.markReady();
    electron.app.emit("activate", {}, false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    electron.app.emit("activate", {}, true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(electron.BrowserWindow.instances).toHaveLength(1);
  });

  it("opens a new window for a second instance when none is left", async () => {
    const { electron, win } = await startReady();
    win.isDestroyed = () => true;
    win.emit("closed");
    electron.BrowserWindow.instances.length = 0;
    electron.app.emit("second-instance", {}, [], "/");
    await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1));
  });

  it.runIf(process.platform !== "darwin")("quits when the last window closes", async () => {
    const { electron } = await startReady();
    electron.app.emit("window-all-closed");
    expect(electron.app.quit).toHaveBeenCalled();
  });

  it("signs out before quitting, then quits", async () => {
    const { electron } = await startReady();
    const event = { preventDefault: vi.fn() };
    electron.app.emit("before-quit", event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(electron.service.dispose).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledOnce());
  });

  it("guards every web contents that is created", async () => {
    const { electron } = await startReady();
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    electron.app.emit("web-contents-created", {}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalled();
    const navigation = { url: "https://evil.example/", preventDefault: vi.fn() };
    contents.emit("will-navigate", navigation);
    expect(navigation.preventDefault).toHaveBeenCalled();
  });
});
