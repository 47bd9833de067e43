import "./quiet-log";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  loadWindowState,
  MIN_WINDOW_HEIGHT,
  MIN_WINDOW_WIDTH,
  parseWindowState,
  saveWindowState,
  trackWindowState,
  type Rect,
  type StateFiles,
  type TrackedWindow,
  type WindowState,
} from "../../../main/window-state";

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const right: Rect = { x: 1920, y: 0, width: 1280, height: 984 };

describe("parseWindowState", () => {
  it("reads a saved state", () => {
    expect(parseWindowState('{"x":10,"y":20,"width":900,"height":700,"maximized":true}')).toEqual({
      x: 10,
      y: 20,
      width: 900,
      height: 700,
      maximized: true,
    });
  });

  it("drops a partial position instead of guessing", () => {
    expect(parseWindowState('{"x":10,"width":900,"height":700}')).toEqual({
      width: 900,
      height: 700,
      maximized: false,
    });
  });

  it.each([
    "",
    "{",
    "null",
    "[]",
    '"text"',
    '{"width":"900","height":700}',
    '{"width":-5,"height":700}',
    '{"width":900,"height":1e308}',
    '{"width":900,"height":700,"maximized":"yes"}',
  ])("rejects %j", (text) => {
    expect(parseWindowState(text)).toBeNull();
  });
});

describe("fitToDisplays", () => {
  it("keeps a window that fits where it is", () => {
    const state = { x: 100, y: 50, width: 900, height: 700, maximized: false };
    expect(fitToDisplays(state, [primary, right])).toEqual(state);
  });

  it("keeps a window on a secondary display", () => {
    const state = { x: 2000, y: 100, width: 900, height: 700, maximized: true };
    expect(fitToDisplays(state, [primary, right])).toEqual(state);
  });

  it("drops the position when the window's display is gone", () => {
    const state = { x: 2000, y: 100, width: 900, height: 700, maximized: false };
    expect(fitToDisplays(state, [primary])).toEqual({ width: 900, height: 700, maximized: false });
  });

  it("pulls a window hanging off the edge back onto the display it mostly covers", () => {
    const state = { x: 1500, y: -200, width: 900, height: 700, maximized: false };
    expect(fitToDisplays(state, [primary])).toEqual({
      x: 1920 - 900,
      y: 0,
      width: 900,
      height: 700,
      maximized: false,
    });
  });

  it("shrinks a window larger than its display", () => {
    const state = { x: 1900, y: 0, width: 3000, height: 2000, maximized: false };
    expect(fitToDisplays(state, [primary, right])).toEqual({
      x: 1920,
      y: 0,
      width: 1280,
      height: 984,
      maximized: false,
    });
  });

  it("never goes below the minimum size", () => {
    const fitted = fitToDisplays({ x: 0, y: 0, width: 10, height: 10, maximized: false }, [
      primary,
    ]);
    expect(fitted.width).toBe(MIN_WINDOW_WIDTH);
    expect(fitted.height).toBe(MIN_WINDOW_HEIGHT);
  });

  it("copes with no displays at all", () => {
    expect(fitToDisplays({ x: 5, y: 5, width: 900, height: 700, maximized: false }, [])).toEqual({
      width: 900,
      height: 700,
      maximized: false,
    });
  });
});

describe("saving and loading on disk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-window-state-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("round-trips a state and leaves no temporary file behind", async () => {
    const file = join(dir, "nested", "window-state.json");
    const state: WindowState = { x: 30, y: 40, width: 1000, height: 800, maximized: true };
    await saveWindowState(file, state);
    expect(await readdir(join(dir, "nested"))).toEqual(["window-state.json"]);
    expect(await loadWindowState(file, [primary])).toEqual(state);
  });

  it("falls back to the defaults for a missing or damaged file", async () => {
    const file = join(dir, "window-state.json");
    expect(await loadWindowState(file, [primary])).toEqual(DEFAULT_WINDOW_STATE);
    await writeFile(file, '{"width": 900, "hei');
    expect(await loadWindowState(file, [primary])).toEqual(DEFAULT_WINDOW_STATE);
  });

  it("fits the loaded state to the current displays", async () => {
    const file = join(dir, "window-state.json");
    await writeFile(file, JSON.stringify({ x: 5000, y: 0, width: 900, height: 700 }));
    expect(await loadWindowState(file, [primary])).toEqual({
      width: 900,
      height: 700,
      maximized: false,
    });
  });

  it("writes a temporary file and renames it over the old one", async () => {
    const calls: string[] = [];
    const files: StateFiles = {
      readFile: async () => "",
      mkdir: async () => undefined,
      writeFile: async (path) => void calls.push(`write ${path}`),
      rename: async (from, to) => void calls.push(`rename ${from} -> ${to}`),
    };
    await saveWindowState("/data/window-state.json", DEFAULT_WINDOW_STATE, files);
    expect(calls).toEqual([
      "write /data/window-state.json.tmp",
      "rename /data/window-state.json.tmp -> /data/window-state.json",
    ]);
  });

  it("keeps the old file intact when writing the new one fails", async () => {
    const file = join(dir, "window-state.json");
    const old: WindowState = { x: 1, y: 2, width: 900, height: 700, maximized: false };
    await saveWindowState(file, old);
    const failing: StateFiles = {
      readFile,
      mkdir: async () => undefined,
      writeFile: async () => {
        throw new Error("ENOSPC");
      },
      rename: async () => {
        throw new Error("must not be reached");
      },
    };
    await expect(saveWindowState(file, { ...old, width: 1200 }, failing)).rejects.toThrow("ENOSPC");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(old);
  });
});

function fakeWindow(bounds: Rect) {
  const listeners = new Map<string, () => void>();
  let current = { ...bounds };
  let maximized = false;
  let destroyed = false;
  const win: TrackedWindow = {
    on: (event, listener) => listeners.set(event, listener),
    getNormalBounds: () => ({ ...current }),
    isMaximized: () => maximized,
    isDestroyed: () => destroyed,
  };
  return {
    win,
    emit: (event: string) => listeners.get(event)?.(),
    moveTo: (next: Partial<Rect>) => {
      current = { ...current, ...next };
    },
    maximize: () => {
      maximized = true;
    },
    destroy: () => {
      destroyed = true;
    },
  };
}

describe("trackWindowState", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("saves once after a burst of moves and resizes has settled", async () => {
    const fake = fakeWindow({ x: 0, y: 0, width: 900, height: 700 });
    const save = vi.fn(async (_state: WindowState) => {});
    trackWindowState(fake.win, save, 500);
    for (let i = 1; i <= 10; i++) {
      fake.moveTo({ x: i * 10 });
      fake.emit(i % 2 ? "move" : "resize");
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(save).toHaveBeenCalledExactlyOnceWith({
      x: 100,
      y: 0,
      width: 900,
      height: 700,
      maximized: false,
    });
  });

  it("records maximising", async () => {
    const fake = fakeWindow({ x: 0, y: 0, width: 900, height: 700 });
    const save = vi.fn(async (_state: WindowState) => {});
    trackWindowState(fake.win, save, 500);
    fake.maximize();
    fake.emit("maximize");
    await vi.advanceTimersByTimeAsync(500);
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ maximized: true }));
  });

  it("saves at once on close, capturing bounds before the window is destroyed", async () => {
    const fake = fakeWindow({ x: 0, y: 0, width: 900, height: 700 });
    const save = vi.fn(async (_state: WindowState) => {});
    const tracker = trackWindowState(fake.win, save, 500);
    fake.moveTo({ x: 42 });
    fake.emit("move");
    fake.emit("close");
    fake.destroy();
    await tracker.flush();
    expect(save).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ x: 42 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it("flush writes a pending change immediately", async () => {
    const fake = fakeWindow({ x: 0, y: 0, width: 900, height: 700 });
    const save = vi.fn(async (_state: WindowState) => {});
    const tracker = trackWindowState(fake.win, save, 500);
    fake.emit("resize");
    await tracker.flush();
    expect(save).toHaveBeenCalledOnce();
  });

  it("logs a failing save instead of throwing", async () => {
    const fake = fakeWindow({ x: 0, y: 0, width: 900, height: 700 });
    const tracker = trackWindowState(
      fake.win,
      async () => {
        throw new Error("read-only file system");
      },
      500,
    );
    fake.emit("close");
    await expect(tracker.flush()).resolves.toBeUndefined();
  });
});
