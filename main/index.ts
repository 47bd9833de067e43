// Electron's lifecycle: the window, IPC, the app:// scheme and quitting, around the app that
// createApp (app.ts) wires the same way for the preview. Everything with logic lives in the shell
// modules, where it is tested with fakes.
import { join } from "node:path";
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  nativeTheme,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from "electron";
import { EVENTS_CHANNEL, type WrenEvent } from "../preload/contract";
import { previewLimitFrom } from "./files/preview-limit";
import { createApp } from "./app";
import { systemClock } from "./shared/clock";
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
} from "./app-protocol";
import { createElectronConnectivity, type ElectronConnectivity } from "./connectivity";
import { createCertificateFileChooser } from "./file-dialog";
import { createSenderCheck, registerCommands, registerFileStaging } from "./ipc";
import { createShellFiles } from "./shell-files";
import { createFileSink, createLogger, type LogSink } from "./shared/log";
import { createOwnUrlCheck } from "./own-origin";
import { createSafeOpenUrl } from "./safe-open-url";
import { createQuitGuard } from "./shutdown";
import { createPermissionHandlers, focusWindow, guardWebContents, windowOptions } from "./window";
import {
  loadWindowState,
  saveWindowState,
  trackWindowState,
  type WindowStateTracker,
} from "./window-state";

const log = createLogger("app/main");

const here = import.meta.dirname; // out/main
const PRELOAD_PATH = join(here, "../preload/index.cjs");
const RENDERER_ROOT = join(here, "../renderer");

// electron-vite's dev server. Only honoured unpackaged: in a release, an environment variable must
// not be able to point the window (and with it the IPC bridge) at another page.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

app.enableSandbox();
if (process.platform === "win32") app.setAppUserModelId("im.wren.Wren");
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  // Another Wren is running; it got "second-instance" and comes to the front.
  app.quit();
} else {
  main();
}

function main(): void {
  const isOwnUrl = createOwnUrlCheck(devServerUrl ? [APP_ORIGIN, devServerUrl] : [APP_ORIGIN]);
  const openExternal = createSafeOpenUrl((url) => shell.openExternal(url));
  let connectivity: ElectronConnectivity | null = null;
  let mainWindow: BrowserWindow | null = null;
  const dataDir = app.getPath("userData");
  const wren = createApp({
    dataDir,
    logging: { sinks: logSinks(), level: app.isPackaged ? "info" : "debug" },
    // safeStorage is only asked after "ready" (wren.start), before which its backend is unknown.
    credentials: { safeStorage },
    // Made on first sign-in, after "ready": powerMonitor may not be used before it.
    signals: () =>
      (connectivity ??= createElectronConnectivity({
        powerMonitor,
        app,
        isOnline: () => net.isOnline(),
        clock: systemClock,
      })),
    openExternal,
    chooseCertificateFile: createCertificateFileChooser({
      dialog,
      parent: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null),
    }),
    files: {
      downloadsDir: process.env.WREN_DOWNLOAD_DIR || app.getPath("downloads"),
      maxPreviewBytes: previewLimitFrom(process.env.WREN_IMAGE_PREVIEW_MAX_BYTES),
      ...createShellFiles(shell),
    },
  });
  const windowStateFile = join(dataDir, "window-state.json");
  let windowState: WindowStateTracker | null = null;

  app.on("web-contents-created", (_event, contents) =>
    guardWebContents(contents, { isOwnUrl, openExternal }),
  );

  app.on("second-instance", () => {
    if (mainWindow && !mainWindow.isDestroyed()) focusWindow(mainWindow);
    else if (app.isReady()) void openWindow();
  });

  // Each batch goes to the renderer as one IPC message.
  wren.service.onEvents((events: WrenEvent[]) => {
    if (mainWindow && !mainWindow.isDestroyed()) {
      mainWindow.webContents.send(EVENTS_CHANNEL, events);
    }
  });

  const isTrustedSender = createSenderCheck(isOwnUrl);
  registerCommands(ipcMain, wren.dispatch, isTrustedSender);
  if (wren.service.files) {
    const files = wren.service.files;
    registerFileStaging(ipcMain, (...args) => files.stageFromDisk(...args), isTrustedSender);
  }

  async function createMainWindow(): Promise<void> {
    const workAreas = screen.getAllDisplays().map((display) => display.workArea);
    const state = await loadWindowState(windowStateFile, workAreas);
    const win = new BrowserWindow(
      windowOptions({
        preloadPath: PRELOAD_PATH,
        darkMode: nativeTheme.shouldUseDarkColors,
        state,
      }),
    );
    mainWindow = win;
    windowState = trackWindowState(win, (next) => saveWindowState(windowStateFile, next));
    win.once("ready-to-show", () => {
      if (state.maximized) win.maximize();
      win.show();
    });
    win.on("closed", () => {
      if (mainWindow === win) mainWindow = null;
    });
    win.webContents.on("render-process-gone", (_event, details) =>
      log.error("the renderer process is gone", details),
    );
    await win.loadURL(devServerUrl ?? APP_ENTRY_URL);
  }

  // One window at a time, even when "activate" arrives while the first is still being made.
  let opening: Promise<void> | null = null;
  const openWindow = (): Promise<void> => {
    if (mainWindow && !mainWindow.isDestroyed()) return Promise.resolve();
    opening ??= createMainWindow()
      .catch((error: unknown) => log.error("could not open the window", error))
      .finally(() => (opening = null));
    return opening;
  };

  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });

  app.on("activate", () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) void openWindow();
  });

  app.on(
    "before-quit",
    createQuitGuard({
      cleanup: async () => {
        log.info("quitting: signing out of every account");
        await Promise.all([wren.dispose(), windowState?.flush()]);
        connectivity?.dispose();
      },
      quit: () => app.quit(),
    }),
  );

  app
    .whenReady()
    .then(() => {
      protocol.handle(APP_SCHEME, createAppProtocolHandler({ root: RENDERER_ROOT }));
      const permissions = createPermissionHandlers(isOwnUrl);
      session.defaultSession.setPermissionRequestHandler(permissions.request);
      session.defaultSession.setPermissionCheckHandler(permissions.check);
      log.info("Wren started", { version: app.getVersion(), dev: devServerUrl !== undefined });
      // Commands (the renderer's first snapshot too) wait for this; problems show in the snapshot.
      void wren.start();
      return openWindow();
    })
    .catch((error: unknown) => {
      log.error("could not start", error);
      app.exit(1);
    });
}

/** The log file, and stderr too while developing (or when there is no file). */
function logSinks(): LogSink[] {
  const sinks: LogSink[] = [];
  try {
    sinks.push(createFileSink(join(app.getPath("logs"), "wren.log")));
  } catch (error) {
    process.stderr.write(`no log file: ${String(error)}\n`);
  }
  if (!app.isPackaged || sinks.length === 0) {
    sinks.push({ write: (line) => process.stderr.write(line) });
  }
  return sinks;
}
