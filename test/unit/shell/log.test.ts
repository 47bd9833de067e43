import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  configureLogging,
  createFileSink,
  createLogger,
  REDACTED,
  redact,
} from "../../../main/shared/log";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: string[] = [];
  configureLogging({ sinks: [{ write: (line) => lines.push(line) }], level });
  return lines;
}

afterEach(() => configureLogging({ sinks: [] }));

describe("redact", () => {
  it("replaces secret-looking fields at any depth", () => {
    const value = {
      jid: "alice@example.org",
      password: "hunter2",
      nested: { accessToken: "t0k", list: [{ clientSecret: "s3", keep: 1 }] },
      Authorization: "Bearer x",
      userPassword: "p",
      pass: "p",
    };
    expect(redact(value)).toEqual({
      jid: "alice@example.org",
      password: REDACTED,
      nested: { accessToken: REDACTED, list: [{ clientSecret: REDACTED, keep: 1 }] },
      Authorization: REDACTED,
      userPassword: REDACTED,
      pass: REDACTED,
    });
    expect(value.password).toBe("hunter2"); // the original is untouched
  });

  it("redacts fields of errors and their causes, keeping message and stack", () => {
    const cause = Object.assign(new Error("inner"), { token: "abc" });
    const error = Object.assign(new Error("outer", { cause }), { password: "pw", code: "E1" });
    const plain = redact(error) as Record<string, unknown>;
    expect(plain).toMatchObject({
      name: "Error",
      message: "outer",
      code: "E1",
      password: REDACTED,
    });
    expect(plain.stack).toContain("outer");
    expect(plain.cause).toMatchObject({ message: "inner", token: REDACTED });
  });

  it("survives cycles", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(redact(a)).toEqual({ name: "a", self: "[circular]" });
  });
});

describe("createLogger", () => {
  it("writes one line with time, level, name, message and redacted data", () => {
    const lines = capture();
    createLogger("app/test").warn("sign-in failed", { jid: "a@b.c", password: "hunter2" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}\[app\/test\] sign-in failed /);
    expect(lines[0]).toContain("a@b.c");
    expect(lines[0]).not.toContain("hunter2");
    expect(lines[0]).toContain(REDACTED);
    expect(lines[0]?.endsWith("\n")).toBe(true);
  });

  it("drops levels below the configured one", () => {
    const lines = capture("warn");
    const log = createLogger("x");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines.map((line) => line.split(" ")[1])).toEqual(["WARN", "ERROR"]);
  });

  it("keeps going when a sink throws", () => {
    const lines: string[] = [];
    configureLogging({
      sinks: [
        {
          write: () => {
            throw new Error("disk full");
          },
        },
        { write: (line) => lines.push(line) },
      ],
    });
    expect(() => createLogger("x").error("still here")).not.toThrow();
    expect(lines).toHaveLength(1);
  });
});

describe("createFileSink", () => {
  let dir: string | undefined;
  afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it("appends to the file, creating its folder", async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-log-"));
    const path = join(dir, "logs", "wren.log");
    const sink = createFileSink(path);
    configureLogging({ sinks: [sink] });
    createLogger("app/file").info("hello", { secret: "s" });
    await sink.close();
    const text = await readFile(path, "utf8");
    expect(text).toContain("[app/file] hello");
    expect(text).not.toContain("'s'");
  });

  it("moves an oversized log aside", async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-log-"));
    const path = join(dir, "wren.log");
    await writeFile(path, "x".repeat(5 * 1024 * 1024 + 1));
    const sink = createFileSink(path);
    await sink.close();
    expect((await stat(`${path}.old`)).size).toBe(5 * 1024 * 1024 + 1);
    expect((await stat(path)).size).toBe(0);
  });
});
