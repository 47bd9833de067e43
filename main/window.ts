import type { BrowserWindowConstructorOptions } from "electron";
import { createLogger } from "./shared/log";
import type { IsOwnUrl } from "./own-origin";
import { externalUrl, urlForLog } from "./safe-open-url";
import { errorName } from "./shared/errors";
import { MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH, type WindowState } from "./window-state";

const log = createLogger("app/window");

/** Painted before the renderer's first frame, so a dark desktop does not flash white. */
export const BACKGROUND = { light: "#ffffff", dark: "#1c1c1e" } as const;

export function windowOptions(input: {
  preloadPath: string;
  darkMode: boolean;
  state: WindowState;
}): BrowserWindowConstructorOptions {
  const { x, y, width, height } = input.state;
  return {
    ...(x !== undefined && y !== undefined ? { x, y } : {}),
    width,
    height,
    minWidth: MIN_WINDOW_WIDTH,
    minHeight: MIN_WINDOW_HEIGHT,
    title: "Wren",
    backgroundColor: input.darkMode ? BACKGROUND.dark : BACKGROUND.light,
    // Shown on ready-to-show, once there is something to see.
    show: false,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
      safeDialogs: true,
      spellcheck: true,
    },
  };
}

/** The parts of a WebContents the guards touch; Electron's WebContents satisfies it. */
export interface GuardedContents {
  on(
    event: "will-navigate" | "will-redirect",
    listener: (details: { url: string; preventDefault(): void }) => void,
  ): unknown;
  on(event: "will-attach-webview", listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: "deny" }): void;
}

/**
 * Keeps a WebContents on Wren's own page: navigation and redirects elsewhere are cancelled, no
 * window ever opens (web and mail links go to the OS instead), and <webview> cannot attach.
 */
export function guardWebContents(
  contents: GuardedContents,
  deps: { isOwnUrl: IsOwnUrl; openExternal: (url: string) => Promise<void> },
): void {
  const stayHome = (kind: string) => (details: { url: string; preventDefault(): void }) => {
    if (deps.isOwnUrl(details.url)) return;
    details.preventDefault();
    log.warn(`prevented ${kind}`, { url: urlForLog(details.url) });
  };
  contents.on("will-navigate", stayHome("navigation"));
  contents.on("will-redirect", stayHome("redirect"));

  contents.setWindowOpenHandler(({ url }) => {
    if (externalUrl(url) !== null) {
      deps
        .openExternal(url)
        .catch((error: unknown) => log.warn("could not open a link", { error: errorName(error) }));
    } else {
      log.warn("refused to open a window", { url: urlForLog(url) });
    }
    return { action: "deny" };
  });

  contents.on("will-attach-webview", (event) => {
    event.preventDefault();
    log.warn("prevented a <webview> from attaching");
  });
}

/**
 * Permissions the page may have, and only on Wren's own page's main frame: notifications (a
 * messenger's reason to exist) and writing to the clipboard (copy buttons). Camera, microphone,
 * location, devices, fullscreen and the rest are refused.
 */
const GRANTABLE = new Set(["notifications", "clipboard-sanitized-write"]);

export function createPermissionHandlers(isOwnUrl: IsOwnUrl): {
  request: (
    contents: unknown,
    permission: string,
    callback: (granted: boolean) => void,
    details: { requestingUrl?: string; isMainFrame: boolean },
  ) => void;
  check: (
    contents: unknown,
    permission: string,
    requestingOrigin: string,
    details: { requestingUrl?: string; isMainFrame: boolean },
  ) => boolean;
} {
  const allowed = (permission: string, url: string | undefined, isMainFrame: boolean) =>
    GRANTABLE.has(permission) && isMainFrame && url !== undefined && isOwnUrl(url);
  return {
    request: (_contents, permission, callback, details) => {
      const granted = allowed(permission, details.requestingUrl, details.isMainFrame);
      if (!granted) log.info("denied a permission request", { permission });
      callback(granted);
    },
    check: (_contents, permission, requestingOrigin, details) =>
      allowed(permission, details.requestingUrl ?? requestingOrigin, details.isMainFrame),
  };
}

export interface FocusableWindow {
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/** Brings the window forward, e.g. when someone starts Wren a second time. */
export function focusWindow(win: FocusableWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
