import type { Logger } from "../../../main/shared/log";

/** A Logger handed to one part under test, keeping every line it writes, with its level and data. */
export function captureLog() {
  const lines: { level: string; message: string; data: unknown[] }[] = [];
  const at =
    (level: string) =>
    (message: string, ...data: unknown[]) =>
      lines.push({ level, message, data });
  const log: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  return { log, lines };
}
