import { afterEach, beforeEach } from "vitest";
import { configureLogging } from "../../../main/shared/log";

/** Every log line written during each test, to prove no secret is among them. */
export function captureLog(): string[] {
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    configureLogging({ sinks: [{ write: (line) => lines.push(line) }], level: "debug" });
  });
  afterEach(() => configureLogging({ sinks: [] }));
  return lines;
}
