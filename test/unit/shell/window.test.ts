import "./quiet-log";
import { describe, expect, it, vi } from "vitest";
import { createOwnUrlCheck } from "../../../main/own-origin";
import {
  BACKGROUND,
  createPermissionHandlers,
  focusWindow,
  guardWebContents,
  windowOptions,
  type GuardedContents,
} from "../../../main/window";
import { MIN_WINDOW_HEIGHT, MIN_WINDOW_WIDTH } from "../../../main/window-state";

const isOwnUrl = createOwnUrlCheck(["app://wren"]);

describe("windowOptions", () => {
  const options = windowOptions({
    preloadPath: "/app/out/preload/index.cjs",
    darkMode: false,
    state: { x: 10, y: 20, width: 900, height: 700, maximized: false },
  });

  it("isolates and sandboxes the renderer", () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: "/app/out/preload/index.cjs",
    });
  });

  it("starts hidden, titled, at the saved bounds and no smaller than the minimum", () => {
    expect(options).toMatchObject({
      show: false,
      title: "Wren",
      x: 10,
      y: 20,
      width: 900,
      height: 700,
      minWidth: MIN_WINDOW_WIDTH,
      minHeight: MIN_WINDOW_HEIGHT,
    });
  });

  it("follows the system theme for the first paint", () => {
    expect(options.backgroundColor).toBe(BACKGROUND.light);
    const dark = windowOptions({
      preloadPath: "p",
      darkMode: true,
      state: { width: 900, height: 700, maximized: false },
    });
    expect(dark.backgroundColor).toBe(BACKGROUND.dark);
  });

  it("leaves the position to the OS when the state has none", () => {
    const centred = windowOptions({
      preloadPath: "p",
      darkMode: false,
      state: { width: 900, height: 700, maximized: false },
    });
    expect(centred).not.toHaveProperty("x");
    expect(centred).not.toHaveProperty("y");
  });
});

type Listener = (details: { url: string; preventDefault(): void }) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((details: { url: string }) => { action: "deny" }) | undefined;
  const contents: GuardedContents = {
    on: (event: string, listener: Listener) => listeners.set(event, listener),
    setWindowOpenHandler: (handler) => {
      openHandler = handler;
    },
  };
  const fire = (event: string, url?: string) => {
    const preventDefault = vi.fn();
    const listener = listeners.get(event);
    if (!listener) throw new Error(`no ${event} listener`);
    listener({ url: url ?? "", preventDefault });
    return preventDefault.mock.calls.length > 0;
  };
  const open = (url: string) => {
    if (!openHandler) throw new Error("no window open handler");
    return openHandler({ url });
  };
  return { contents, fire, open };
}

function guarded(origins = ["app://wren"]) {
  const fake = fakeContents();
  const openExternal = vi.fn(async (_url: string) => {});
  guardWebContents(fake.contents, { isOwnUrl: createOwnUrlCheck(origins), openExternal });
  return { ...fake, openExternal };
}

describe("guardWebContents: navigation", () => {
  it.each(["will-navigate", "will-redirect"])("%s allows Wren's own origin", (event) => {
    const { fire } = guarded();
    expect(fire(event, "app://wren/index.html")).toBe(false);
    expect(fire(event, "app://wren/index.html#/chat")).toBe(false);
  });

  it.each(["will-navigate", "will-redirect"])("%s prevents every other origin", (event) => {
    const { fire } = guarded();
    for (const url of [
      "https://evil.example/",
      "app://evil/index.html",
      "app://wren.evil.example/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "data:text/html,hi",
      "http://localhost:5173/",
      "not a url",
    ]) {
      expect(fire(event, url), url).toBe(true);
    }
  });

  it("allows the dev server only when it is one of the own origins", () => {
    const { fire } = guarded(["app://wren", "http://localhost:5173"]);
    expect(fire("will-navigate", "http://localhost:5173/")).toBe(false);
    expect(fire("will-navigate", "http://localhost:5174/")).toBe(true);
  });

  it("prevents <webview> from attaching", () => {
    const { fire } = guarded();
    expect(fire("will-attach-webview")).toBe(true);
  });
});

describe("guardWebContents: window.open and target=_blank", () => {
  it.each(["https://example.org/page", "http://example.org/", "mailto:alice@example.org"])(
    "denies the window and opens %s in the OS",
    (url) => {
      const { open, openExternal } = guarded();
      expect(open(url)).toEqual({ action: "deny" });
      expect(openExternal).toHaveBeenCalledExactlyOnceWith(url);
    },
  );

  it.each([
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "app://wren/index.html",
    "about:blank",
    "https://user:pw@example.org/",
  ])("denies %s and does not open it anywhere", (url) => {
    const { open, openExternal } = guarded();
    expect(open(url)).toEqual({ action: "deny" });
    expect(openExternal).not.toHaveBeenCalled();
  });

  it("still denies when the OS fails to open the link", async () => {
    const fake = fakeContents();
    const openExternal = vi.fn(async () => {
      throw new Error("no browser");
    });
    guardWebContents(fake.contents, { isOwnUrl, openExternal });
    expect(fake.open("https://example.org/")).toEqual({ action: "deny" });
    await Promise.resolve(); // the rejection is caught, not left unhandled
  });
});

describe("createPermissionHandlers", () => {
  const { request, check } = createPermissionHandlers(isOwnUrl);
  const ask = (permission: string, requestingUrl: string, isMainFrame = true) => {
    const callback = vi.fn();
    request(null, permission, callback, { requestingUrl, isMainFrame });
    expect(callback).toHaveBeenCalledTimes(1);
    return callback.mock.calls[0]?.[0] as boolean;
  };

  it("grants notifications to Wren's own main frame", () => {
    expect(ask("notifications", "app://wren/index.html")).toBe(true);
    expect(check(null, "notifications", "app://wren", { isMainFrame: true })).toBe(true);
  });

  it("denies notifications to other origins and to subframes", () => {
    expect(ask("notifications", "https://evil.example/")).toBe(false);
    expect(ask("notifications", "app://wren/index.html", false)).toBe(false);
    expect(check(null, "notifications", "https://evil.example", { isMainFrame: true })).toBe(false);
  });

  it.each([
    "media",
    "geolocation",
    "openExternal",
    "fullscreen",
    "hid",
    "serial",
    "usb",
    "unknown",
  ])("denies %s even to Wren's own page", (permission) => {
    expect(ask(permission, "app://wren/index.html")).toBe(false);
    expect(check(null, permission, "app://wren", { isMainFrame: true })).toBe(false);
  });
});

describe("focusWindow", () => {
  it("restores a minimised window, then shows and focuses it", () => {
    const calls: string[] = [];
    focusWindow({
      isMinimized: () => true,
      restore: () => calls.push("restore"),
      show: () => calls.push("show"),
      focus: () => calls.push("focus"),
    });
    expect(calls).toEqual(["restore", "show", "focus"]);
  });

  it("does not restore a window that is not minimised", () => {
    const restore = vi.fn();
    focusWindow({ isMinimized: () => false, restore, show: vi.fn(), focus: vi.fn() });
    expect(restore).not.toHaveBeenCalled();
  });
});
