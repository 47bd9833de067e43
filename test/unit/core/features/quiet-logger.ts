import type { Logger } from "../../../../main/shared/log";

/** A logger that keeps what it is told, for tests that do not look at it. */
export function quietLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => void lines.push(message);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}
