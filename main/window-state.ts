import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createLogger } from "./shared/log";

const log = createLogger("app/window-state");

export const MIN_WINDOW_WIDTH = 640;
export const MIN_WINDOW_HEIGHT = 480;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The window's normal (unmaximised) bounds; without x/y the OS centres it. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1100, height: 720, maximized: false };

const MAX_COORDINATE = 100_000;

/** A saved state, or null when the text is not one (damaged, edited by hand, from the future). */
export function parseWindowState(text: string): WindowState | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // damaged: the caller logs it and uses the defaults
  }
  if (typeof value !== "object" || value === null) return null;
  const { x, y, width, height, maximized } = value as Record<string, unknown>;
  const coordinate = (n: unknown) =>
    typeof n === "number" && Number.isFinite(n) && Math.abs(n) <= MAX_COORDINATE;
  const size = (n: unknown) => coordinate(n) && (n as number) > 0;
  if (!size(width) || !size(height)) return null;
  if (maximized !== undefined && typeof maximized !== "boolean") return null;
  const state: WindowState = {
    width: Math.round(width as number),
    height: Math.round(height as number),
    maximized: maximized ?? false,
  };
  if (coordinate(x) && coordinate(y)) {
    state.x = Math.round(x as number);
    state.y = Math.round(y as number);
  }
  return state;
}

/**
 * Fits a saved state onto the displays there are now. The window goes onto the display it overlaps
 * most, shrunk to that display's work area if needed and moved fully inside it. If it overlaps none
 * (a monitor was unplugged), it keeps its size and the OS centres it.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  const width = Math.max(state.width, MIN_WINDOW_WIDTH);
  const height = Math.max(state.height, MIN_WINDOW_HEIGHT);
  const unplaced = (area?: Rect): WindowState => ({
    width: area ? Math.min(width, Math.max(area.width, MIN_WINDOW_WIDTH)) : width,
    height: area ? Math.min(height, Math.max(area.height, MIN_WINDOW_HEIGHT)) : height,
    maximized: state.maximized,
  });
  if (state.x === undefined || state.y === undefined) return unplaced(workAreas[0]);

  const rect = { x: state.x, y: state.y, width, height };
  let best: Rect | undefined;
  let bestOverlap = 0;
  for (const area of workAreas) {
    const overlap = overlapArea(rect, area);
    if (overlap > bestOverlap) {
      best = area;
      bestOverlap = overlap;
    }
  }
  if (best === undefined) return unplaced(workAreas[0]);

  const fitted = unplaced(best);
  return {
    ...fitted,
    x: clamp(state.x, best.x, best.x + best.width - fitted.width),
    y: clamp(state.y, best.y, best.y + best.height - fitted.height),
  };
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, Math.max(min, max)));
}

/** The file operations window state needs; node:fs/promises by default, fakes in tests. */
export interface StateFiles {
  readFile(path: string, encoding: "utf8"): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
}

const nodeFiles: StateFiles = { readFile, writeFile, rename, mkdir };

/** The saved state fitted to the current displays; defaults when there is none or it is damaged. */
export async function loadWindowState(
  file: string,
  workAreas: readonly Rect[],
  files: StateFiles = nodeFiles,
): Promise<WindowState> {
  let text: string;
  try {
    text = await files.readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      log.warn("could not read the window state; using defaults", error);
    }
    return fitToDisplays(DEFAULT_WINDOW_STATE, workAreas);
  }
  const saved = parseWindowState(text);
  if (saved === null) {
    log.warn("the window state file is damaged; using defaults", { file });
    return fitToDisplays(DEFAULT_WINDOW_STATE, workAreas);
  }
  return fitToDisplays(saved, workAreas);
}

/** Writes a temporary file and renames it over the old one, so a crash never leaves half a file. */
export async function saveWindowState(
  file: string,
  state: WindowState,
  files: StateFiles = nodeFiles,
): Promise<void> {
  const temporary = `${file}.tmp`;
  await files.mkdir(dirname(file), { recursive: true });
  await files.writeFile(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await files.rename(temporary, file);
}

/** The parts of a BrowserWindow the tracker touches. */
export interface TrackedWindow {
  on(event: "resize" | "move" | "maximize" | "unmaximize" | "close", listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
}

export interface WindowStateTracker {
  /** Writes the last change now, if one is pending; resolves when it is on disk. */
  flush(): Promise<void>;
}

/**
 * Saves the window's state after it has stopped moving or resizing for `delayMs`, and at once when it
 * closes. Write failures are logged, never thrown.
 */
export function trackWindowState(
  win: TrackedWindow,
  save: (state: WindowState) => Promise<void>,
  delayMs = 500,
): WindowStateTracker {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: WindowState | undefined;
  let writing: Promise<void> = Promise.resolve();

  const capture = (): WindowState | undefined => {
    if (win.isDestroyed()) return undefined;
    return { ...win.getNormalBounds(), maximized: win.isMaximized() };
  };

  const flush = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const state = pending ?? capture();
    pending = undefined;
    if (state === undefined) return writing;
    // Writes are chained so an older state can never land after a newer one.
    writing = writing
      .then(() => save(state))
      .catch((error: unknown) => log.warn("could not save the window state", error));
    return writing;
  };

  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void flush(), delayMs);
  };

  for (const event of ["resize", "move", "maximize", "unmaximize"] as const)
    win.on(event, schedule);
  win.on("close", () => {
    pending = capture();
    void flush();
  });

  return {
    flush: () => (timer !== undefined ? flush() : writing),
  };
}
