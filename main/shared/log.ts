import { createWriteStream, mkdirSync, renameSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { inspect } from "node:util";

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where finished log lines go: a file, stderr, or an array in tests. */
export interface LogSink {
  write(line: string): void;
}

export interface Logger {
  debug(message: string, ...data: unknown[]): void;
  info(message: string, ...data: unknown[]): void;
  warn(message: string, ...data: unknown[]): void;
  error(message: string, ...data: unknown[]): void;
}

// Keys whose values never reach the log, however deep they sit in a logged object.
const SECRET_KEY = /pass(word|phrase|wd)|^pass$|pwd|secret|token|credential|authorization|cookie/i;
export const REDACTED = "[redacted]";
const MAX_DEPTH = 6;

const stderrSink: LogSink = { write: (line) => process.stderr.write(line) };

let sinks: LogSink[] = [stderrSink];
let minLevel: LogLevel = "info";

/** Sets where every logger writes from now on; loggers created earlier follow. */
export function configureLogging(options: { sinks: LogSink[]; level?: LogLevel }): void {
  sinks = options.sinks;
  minLevel = options.level ?? "info";
}

/** One logger per module, named like "app/window"; cheap, so create it at module level. */
export function createLogger(name: string): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, ...data: unknown[]) => {
      if (LEVEL_RANK[level] < LEVEL_RANK[minLevel]) return;
      const line = formatLine(new Date(), level, name, message, data);
      for (const sink of sinks) {
        try {
          sink.write(line);
        } catch {
          // A full disk or closed stream must never take the app down with it.
        }
      }
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export function formatLine(
  time: Date,
  level: LogLevel,
  name: string,
  message: string,
  data: unknown[],
): string {
  const rendered = data.map((item) =>
    typeof item === "string"
      ? item
      : inspect(redact(item), { depth: MAX_DEPTH, breakLength: Infinity, compact: true }),
  );
  const tail = rendered.length > 0 ? ` ${rendered.join(" ")}` : "";
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} [${name}] ${message}${tail}\n`;
}

/**
 * A copy of `value` with every secret-looking field replaced. Errors become plain objects (name,
 * message, stack, code, cause) so their own fields are redacted too. Cycles and depth are bounded.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[…]";
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack) plain.stack = value.stack;
    for (const [key, field] of Object.entries(value)) plain[key] = field;
    if (value.cause !== undefined) plain.cause = value.cause;
    return redactEntries(plain, depth, seen);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  if (value instanceof Date || value instanceof RegExp) return value;
  if (value instanceof Map) {
    return redactEntries(Object.fromEntries(value), depth, seen);
  }
  return redactEntries(value as Record<string, unknown>, depth, seen);
}

function redactEntries(
  value: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = SECRET_KEY.test(key) ? REDACTED : redact(field, depth + 1, seen);
  }
  return copy;
}

const MAX_LOG_BYTES = 5 * 1024 * 1024;

/**
 * Appends to `path`, creating its folder. A file grown past 5 MB is moved to `<path>.old` first,
 * so the log never takes more than twice that.
 */
export function createFileSink(path: string): LogSink & { close(): Promise<void> } {
  mkdirSync(dirname(path), { recursive: true });
  try {
    if (statSync(path).size > MAX_LOG_BYTES) renameSync(path, `${path}.old`);
  } catch {
    // No log yet.
  }
  const stream = createWriteStream(path, { flags: "a", mode: 0o600 });
  stream.on("error", (error) => process.stderr.write(`log file unusable: ${String(error)}\n`));
  return {
    write: (line) => void stream.write(line),
    close: () => new Promise<void>((resolve) => stream.end(resolve)),
  };
}
