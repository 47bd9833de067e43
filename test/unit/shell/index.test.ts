// Electron's lifecycle (main/index.ts), run against a fake `electron` and a fake createApp: what
// happens before ready, with and without the single-instance lock, what Electron gives the app, and
// how events, second instances and quitting are wired. createApp itself: test/unit/app.test.ts.
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { commandNames, EVENTS_CHANNEL, type WrenEvent } from "../../../preload/contract";
import type { AppDeps } from "../../../main/app";

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

// The app is built from what index.ts gives it; what it does with that is app.test.ts's business.
vi.mock("../../../main/app", () => ({
  createApp: vi.fn(() => fake.current.wren),
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
    whenReady: vi.fn(() => ready),
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
  const wren = {
    service: {
      onEvents: vi.fn((listener: (events: WrenEvent[]) => void) => {
        eventListener = listener;
        return () => {};
      }),
    },
    dispatch: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: "done" })),
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
    screen: {
      getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]),
    },
    nativeTheme: { shouldUseDarkColors: true },
    powerMonitor: new EventEmitter(),
    net: { isOnline: vi.fn(() => true) },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: vi.fn(),
      decryptString: vi.fn(),
    },
    wren,
    emitServiceEvents: (events: WrenEvent[]) => eventListener?.(events),
  };
}

let dir: string;

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

/** What index.ts gave createApp the last time it was loaded. */
async function appDeps(): Promise<AppDeps> {
  const { createApp } = await import("../../../main/app");
  return vi.mocked(createApp).mock.lastCall![0];
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
  vi.stubEnv("ELECTRON_RENDERER_URL", "http://localhost:5173");
});

afterEach(() => {
  vi.unstubAllEnvs();
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
    // Nothing can happen later: index.ts neither waits for "ready" nor listens to any event.
    expect(electron.app.whenReady).not.toHaveBeenCalled();
    expect(electron.app.eventNames()).toEqual([]);
    electron.markReady();
    expect(electron.app.quit).toHaveBeenCalledOnce();
    const { createApp } = await import("../../../main/app");
    expect(createApp).not.toHaveBeenCalled();
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

  it("hands commands from its own page to the app's dispatch, and no others", async () => {
    const electron = await start();
    const handler = electron.ipcMain.handle.mock.calls.find(
      (call) => call[0] === "wren:snapshot",
    )![1] as (event: unknown, args: unknown) => Promise<unknown>;
    const from = (url: string) => ({ senderFrame: { url, parent: null } });
    expect(await handler(from("app://wren/index.html"), {})).toEqual({ ok: true, value: "done" });
    expect(electron.wren.dispatch).toHaveBeenCalledExactlyOnceWith("snapshot", {});
    expect(await handler(from("https://evil.example/"), {})).toMatchObject({ ok: false });
    expect(electron.wren.dispatch).toHaveBeenCalledOnce();
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

  it("gives the app the OS's wake-up and network signals, made once, on first use", async () => {
    const electron = await startReady().then((started) => started.electron);
    const { signals } = await appDeps();
    const made = signals!();
    expect(signals!()).toBe(made);
    const resumed = vi.fn();
    made.onResume(resumed);
    electron.powerMonitor.emit("resume");
    expect(resumed).toHaveBeenCalledOnce();
  });

  it("keeps the app's data in userData, with Electron's safeStorage for passwords", async () => {
    const electron = await start();
    const deps = await appDeps();
    expect(deps.dataDir).toBe(join(dir, "userData"));
    expect(deps.credentials.safeStorage).toBe(electron.safeStorage);
    expect(deps.createSession).toBeUndefined();
  });

  it("logs to a file, at info when packaged and at debug (to stderr too) when not", async () => {
    await start({ isPackaged: true });
    expect((await appDeps()).logging).toEqual({ sinks: [expect.any(Object)], level: "info" });
    await start({ isPackaged: false });
    expect((await appDeps()).logging).toEqual({
      sinks: [expect.any(Object), expect.any(Object)],
      level: "debug",
    });
  });

  it("opens only safe links, in the OS's browser", async () => {
    const electron = await start();
    const { openExternal } = await appDeps();
    await openExternal("https://example.org/page");
    expect(electron.shell.openExternal).toHaveBeenCalledExactlyOnceWith("https://example.org/page");
    await expect(openExternal("file:///etc/passwd")).rejects.toThrow();
    expect(electron.shell.openExternal).toHaveBeenCalledOnce();
  });

  it("asks for certificate files with Electron's dialog, modal on the window", async () => {
    const { electron, win } = await startReady();
    const { chooseCertificateFile } = await appDeps();
    expect(await chooseCertificateFile("certificate")).toBe("/certs/alice.p12");
    expect(electron.dialog.showOpenDialog).toHaveBeenCalledWith(
      win,
      expect.objectContaining({ properties: expect.arrayContaining(["openFile"]) }),
    );
  });

  it("starts the app (credential store, then accounts) only once Electron is ready", async () => {
    const electron = await start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(electron.wren.start).not.toHaveBeenCalled();
    electron.markReady();
    await vi.waitFor(() => expect(electron.wren.start).toHaveBeenCalledOnce());
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
    electron.app.emit("activate", {}, false); // before the ready handler: this one starts the window
    electron.app.emit("activate", {}, false); // while it is being made
    // The ready handler starts the app, then asks for the window too.
    await vi.waitFor(() => expect(electron.wren.start).toHaveBeenCalled());
    await vi.waitFor(() => expect(electron.BrowserWindow.instances[0]?.loadURL).toHaveBeenCalled());
    electron.app.emit("activate", {}, true); // once it is there
    // Making a window starts by reading the displays, synchronously: every attempt is counted now.
    expect(electron.screen.getAllDisplays).toHaveBeenCalledOnce();
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
    expect(electron.wren.dispose).toHaveBeenCalledOnce();
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
