import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FileStaging, release, type StagedEntry } from "../../../main/files/staging";
import { WrenError } from "../../../main/shared/errors";

let root: string;
let stagingDir: string;
let protectedDir: string;
let personalDir: string;
const made: FileStaging[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "wren-staging-"));
  stagingDir = join(root, "staging");
  protectedDir = join(root, "data");
  personalDir = join(root, "home");
  await mkdir(protectedDir);
  await mkdir(personalDir);
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(made.splice(0).map((staging) => staging.dispose()));
  await rm(root, { recursive: true, force: true });
});

afterAll(() => vi.useRealTimers());

function staging(options: { ttlMs?: number; maxEntries?: number } = {}): FileStaging {
  const created = new FileStaging({ dir: stagingDir, protectedDirs: [protectedDir], ...options });
  made.push(created);
  return created;
}

const GONE = "Wren no longer has that file; add it again.";
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString("base64");

/** What a call rejected with (or threw), to look at its code and message. */
async function failure(run: () => unknown): Promise<WrenError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(WrenError);
    return error as WrenError;
  }
  throw new Error("expected a failure");
}

async function personalFile(name: string, bytes: Buffer | string = "hello"): Promise<string> {
  const path = join(personalDir, name);
  await writeFile(path, bytes);
  return path;
}

describe("cleaning the staging folder", () => {
  it("deletes copies an earlier run left, and nothing else, creating the folder if missing", async () => {
    const files = staging();
    await files.start();
    expect(await readdir(stagingDir)).toEqual([]);

    await writeFile(join(stagingDir, ".wren-stage-0123"), "old copy");
    await writeFile(join(stagingDir, ".wren-stage-abcd"), "old copy");
    await writeFile(join(stagingDir, "notes.txt"), "not ours");
    await staging().start();
    expect(await readdir(stagingDir)).toEqual(["notes.txt"]);
  });

  it("is what the first copy waits for, and runs once", async () => {
    await mkdir(stagingDir);
    await writeFile(join(stagingDir, ".wren-stage-left-over"), "old copy");
    const files = staging();
    const token = await files.begin("a.txt", 1, "text/plain");
    expect(await readdir(stagingDir)).toEqual([`.wren-stage-${token}`]);
    expect(files.start()).toBe(files.start());
    await files.start();
    // start() again does not delete the copy being streamed.
    expect(await readdir(stagingDir)).toEqual([`.wren-stage-${token}`]);
  });
});

describe("a file the page streams", () => {
  it("is written to a private copy, chunk by chunk, and handed over by its token", async () => {
    const files = staging();
    const bytes = randomBytes(3000);
    const token = await files.begin("Holiday Photo.PNG", bytes.length, " Image/PNG ");
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    await files.append(token, 0, b64(bytes.subarray(0, 1000)));
    await files.append(token, 1000, b64(bytes.subarray(1000, 2999)));
    await files.append(token, 2999, b64(bytes.subarray(2999)));
    const staged = await files.finish(token);
    expect(staged).toEqual({
      token,
      name: "Holiday Photo.PNG",
      size: 3000,
      mediaType: "image/png",
    });

    const entry = files.take(token);
    expect(entry).toEqual({
      ...staged,
      path: join(stagingDir, `.wren-stage-${token}`),
      temporary: true,
    });
    expect((await readFile(entry.path)).equals(bytes)).toBe(true);
    if (process.platform !== "win32") expect((await stat(entry.path)).mode & 0o777).toBe(0o600);
  });

  it("takes appends in the order they were asked, without waiting for each", async () => {
    const files = staging();
    const bytes = randomBytes(40_000);
    const token = await files.begin("a.bin", bytes.length, "application/octet-stream");
    const appends = [];
    for (let offset = 0; offset < bytes.length; offset += 4000) {
      appends.push(files.append(token, offset, b64(bytes.subarray(offset, offset + 4000))));
    }
    const finished = files.finish(token);
    await Promise.all(appends);
    expect((await finished).size).toBe(bytes.length);
    expect((await readFile(files.take(token).path)).equals(bytes)).toBe(true);
  });

  it("may be empty", async () => {
    const files = staging();
    const token = await files.begin("empty.txt", 0, "text/plain");
    expect((await files.finish(token)).size).toBe(0);
    expect(await readFile(files.take(token).path, "utf8")).toBe("");
  });

  it("is refused when a chunk is missing: later chunks fail too, and its copy is deleted", async () => {
    const files = staging();
    const token = await files.begin("a.txt", 6, "text/plain");
    const path = join(stagingDir, `.wren-stage-${token}`);
    await files.append(token, 0, b64("ab"));
    const gap = await failure(() => files.append(token, 4, b64("ef")));
    expect(gap.code).toBe("invalid-argument");
    expect(gap.message).toBe("Part of the file went missing; try again.");
    // The missing chunk arriving late does not mend the copy.
    await expect(files.append(token, 2, b64("cd"))).rejects.toThrow(
      "Part of the file went missing; try again.",
    );
    const refused = await failure(() => files.finish(token));
    expect(refused.message).toBe("The file did not arrive whole; try again.");
    expect(existsSync(path)).toBe(false);
    expect(() => files.take(token)).toThrow("Wren no longer has that file; add it again.");
    expect((await failure(() => files.append(token, 2, b64("cd")))).message).toBe(GONE);
  });

  it("is refused when a chunk comes twice", async () => {
    const files = staging();
    const token = await files.begin("a.txt", 4, "text/plain");
    await files.append(token, 0, b64("ab"));
    await expect(files.append(token, 0, b64("ab"))).rejects.toThrow(
      "Part of the file went missing; try again.",
    );
    await expect(files.finish(token)).rejects.toThrow("The file did not arrive whole; try again.");
  });

  it("never grows past the size it declared", async () => {
    const files = staging();
    const token = await files.begin("a.txt", 4, "text/plain");
    const path = join(stagingDir, `.wren-stage-${token}`);
    await files.append(token, 0, b64("abc"));
    const tooMuch = await failure(() => files.append(token, 3, b64("de")));
    expect(tooMuch.message).toBe("The file is larger than it said; try again.");
    expect(await readFile(path, "utf8")).toBe("abc");
    await expect(files.finish(token)).rejects.toThrow("The file did not arrive whole; try again.");
    expect(existsSync(path)).toBe(false);
  });

  it("is refused when fewer bytes arrived than it declared", async () => {
    const files = staging();
    const token = await files.begin("a.txt", 10, "text/plain");
    await files.append(token, 0, b64("abc"));
    await expect(files.finish(token)).rejects.toThrow("The file did not arrive whole; try again.");
    expect(await readdir(stagingDir)).toEqual([]);
  });

  it("shows only the last component of its name, without control characters, and a type or none", async () => {
    const files = staging();
    const cases: [string, string, string, string | null][] = [
      ["../../etc/passwd", "text/plain", "passwd", "text/plain"],
      ["C:\\Users\\me\\evil\u202Efdp.exe", "", "evilfdp.exe", null],
      ["", "not a type", "file", null],
      ["  ", "text/html; charset=utf-8", "file", null],
      [
        `${"x".repeat(400)}.tar.gz`,
        "application/gzip",
        `${"x".repeat(252)}.gz`,
        "application/gzip",
      ],
    ];
    for (const [name, type, shown, mediaType] of cases) {
      const token = await files.begin(name, 0, type);
      const staged = await files.finish(token);
      expect(staged.name, name).toBe(shown);
      expect(staged.mediaType, name).toBe(mediaType);
    }
    // Whatever the name said, every copy is in the staging folder.
    expect((await readdir(stagingDir)).every((name) => name.startsWith(".wren-stage-"))).toBe(true);
    expect(await readdir(root)).toEqual(expect.arrayContaining(["data", "home", "staging"]));
    expect(await readdir(root)).toHaveLength(3);
  });

  it("is forgotten and deleted when discarded, half-streamed or finished", async () => {
    const files = staging();
    const streaming = await files.begin("a.txt", 4, "text/plain");
    await files.append(streaming, 0, b64("ab"));
    const done = await files.begin("b.txt", 1, "text/plain");
    await files.append(done, 0, b64("b"));
    await files.finish(done);
    expect(await readdir(stagingDir)).toHaveLength(2);

    await files.discard(streaming);
    await files.discard(done);
    expect(await readdir(stagingDir)).toEqual([]);
    expect((await failure(() => files.append(streaming, 2, b64("cd")))).message).toBe(GONE);
    await expect(files.finish(streaming)).rejects.toThrow(
      "Wren no longer has that file; add it again.",
    );
    expect(() => files.take(done)).toThrow("Wren no longer has that file; add it again.");
    // Discarding what is gone, or was never there, is no error.
    await files.discard(done);
    await files.discard("0".repeat(32));
  });

  it("waits for a write under way before its copy is discarded", async () => {
    const files = staging();
    const bytes = randomBytes(200_000);
    const token = await files.begin("a.bin", bytes.length, "");
    const writing = files.append(token, 0, b64(bytes));
    await files.discard(token);
    await writing;
    expect(await readdir(stagingDir)).toEqual([]);
  });
});

describe("a file on disk", () => {
  it("is staged by its path, under its own name, and stays where it is", async () => {
    const files = staging();
    const path = await personalFile("report.pdf", "%PDF-1.7");
    const staged = await files.fromDisk(path, "report.pdf", "application/pdf");
    expect(staged).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: "report.pdf",
      size: 8,
      mediaType: "application/pdf",
    });
    const entry = files.take(staged.token);
    expect(entry).toEqual({ ...staged, path, temporary: false });
    expect(() => files.take(staged.token)).toThrow("Wren no longer has that file; add it again.");
    await release(entry);
    expect(await readFile(path, "utf8")).toBe("%PDF-1.7");
    // Nothing was copied.
    expect(existsSync(stagingDir) ? await readdir(stagingDir) : []).toEqual([]);
  });

  it("is named after its path when no name is given, and made safe when one is", async () => {
    const files = staging();
    const path = await personalFile("notes.txt");
    expect((await files.fromDisk(path, "", "")).name).toBe("notes.txt");
    expect((await files.fromDisk(path, "../x/\u202Eevil.txt", "")).name).toBe("evil.txt");
  });

  it("must be an absolute path to a regular file", async () => {
    const files = staging();
    await personalFile("notes.txt");
    for (const path of [
      "notes.txt",
      join("..", "home", "notes.txt"),
      personalDir,
      join(personalDir, "missing.txt"),
    ]) {
      const error = await failure(() => files.fromDisk(path, "notes.txt", "text/plain"));
      expect(error.code, path).toBe("invalid-argument");
    }
    await expect(files.fromDisk(personalDir, "home", "")).rejects.toThrow(
      "“home” is not a file Wren can send.",
    );
    await expect(files.fromDisk("notes.txt", "notes.txt", "")).rejects.toThrow(
      "That is not a file on disk.",
    );
  });

  it("is refused inside Wren's own data folders, however the path is written", async () => {
    const files = staging();
    await mkdir(join(protectedDir, "nested"));
    await writeFile(join(protectedDir, "wren.db"), "secret");
    await writeFile(join(protectedDir, "nested", "passwords"), "secret");
    for (const path of [
      join(protectedDir, "wren.db"),
      join(protectedDir, "nested", "passwords"),
      join(personalDir, "..", "data", "wren.db"),
      `${protectedDir}/./nested/../wren.db`,
      protectedDir,
    ]) {
      const error = await failure(() => files.fromDisk(path, "wren.db", ""));
      expect(error.message, path).toBe("Wren does not send its own data files.");
    }
  });

  it("is refused through a link that points into Wren's data folder", async () => {
    const files = staging();
    await writeFile(join(protectedDir, "wren.db"), "secret");
    await symlink(join(protectedDir, "wren.db"), join(personalDir, "holiday.jpg"));
    const error = await failure(() => files.fromDisk(join(personalDir, "holiday.jpg"), "x", ""));
    expect(error.message).toBe("Wren does not send its own data files.");
  });

  it("is not refused in a folder whose name only begins like a protected one", async () => {
    const files = staging();
    const sibling = `${protectedDir}-backup`;
    await mkdir(sibling);
    await writeFile(join(sibling, "photo.jpg"), "jpeg");
    expect((await files.fromDisk(join(sibling, "photo.jpg"), "photo.jpg", "")).size).toBe(4);
  });

  it("is refused inside a protected folder even when its name begins with two dots", async () => {
    const files = staging();
    const path = join(protectedDir, "..secrets");
    await writeFile(path, "secret");
    const error = await failure(() => files.fromDisk(path, "..secrets", ""));
    expect(error.message).toBe("Wren does not send its own data files.");
  });
});

describe("handing over and releasing", () => {
  it("deletes a copy once released, and never the person's own file", async () => {
    const files = staging();
    const token = await files.begin("a.txt", 1, "text/plain");
    await files.append(token, 0, b64("a"));
    await files.finish(token);
    const copy = files.take(token);
    expect(existsSync(copy.path)).toBe(true);
    await release(copy);
    expect(existsSync(copy.path)).toBe(false);
    // Releasing twice is harmless.
    await release(copy);

    const own: StagedEntry = {
      token: "t",
      path: await personalFile("mine.txt"),
      name: "mine.txt",
      size: 5,
      mediaType: null,
      temporary: false,
    };
    await release(own);
    expect(await readFile(own.path, "utf8")).toBe("hello");
  });

  it("a taken copy is the taker's: dispose leaves it, and deletes the rest", async () => {
    const files = staging();
    const taken = await files.begin("a.txt", 0, "");
    await files.finish(taken);
    const kept = await files.begin("b.txt", 0, "");
    await files.finish(kept);
    const streaming = await files.begin("c.txt", 5, "");
    const own = await files.fromDisk(await personalFile("d.txt"), "d.txt", "");
    const entry = files.take(taken);

    await files.dispose();
    expect(await readdir(stagingDir)).toEqual([`.wren-stage-${taken}`]);
    expect(existsSync(entry.path)).toBe(true);
    expect(existsSync(join(personalDir, "d.txt"))).toBe(true);
    for (const token of [kept, own.token]) {
      expect(() => files.take(token)).toThrow("Wren no longer has that file; add it again.");
    }
    expect((await failure(() => files.append(streaming, 0, b64("x")))).message).toBe(GONE);
  });
});

describe("limits", () => {
  it("holds at most maxEntries streams and staged files at once", async () => {
    const files = staging({ maxEntries: 3 });
    const path = await personalFile("a.txt");
    const streaming = await files.begin("a.txt", 1, "");
    const staged = await files.fromDisk(path, "a.txt", "");
    const finished = await files.begin("b.txt", 0, "");
    await files.finish(finished);

    const full = "Too many files are waiting to be sent.";
    await expect(files.begin("c.txt", 0, "")).rejects.toThrow(full);
    await expect(files.fromDisk(path, "a.txt", "")).rejects.toThrow(full);
    // A refused begin leaves no copy behind.
    expect(await readdir(stagingDir)).toHaveLength(2);

    // Finishing a stream does not count it twice.
    await files.append(streaming, 0, b64("a"));
    await files.finish(streaming);
    files.take(staged.token);
    expect((await files.fromDisk(path, "a.txt", "")).size).toBe(5);
    await expect(files.begin("c.txt", 0, "")).rejects.toThrow(full);
  });

  it("holds at most maxEntries even when the page begins several files at once", async () => {
    const files = staging({ maxEntries: 2 });
    const begun = await Promise.allSettled([
      files.begin("a.txt", 1, ""),
      files.begin("b.txt", 1, ""),
      files.begin("c.txt", 1, ""),
      files.begin("d.txt", 1, ""),
    ]);
    expect(begun.filter((result) => result.status === "fulfilled")).toHaveLength(2);
    expect(await readdir(stagingDir)).toHaveLength(2);
  });

  it("forgets a staged file after ttlMs, deleting its copy", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const files = staging({ ttlMs: 60_000 });
    const token = await files.begin("a.txt", 1, "");
    await files.append(token, 0, b64("a"));
    await files.finish(token);
    const own = await files.fromDisk(await personalFile("b.txt"), "b.txt", "");
    const path = join(stagingDir, `.wren-stage-${token}`);

    vi.advanceTimersByTime(59_999);
    expect(existsSync(path)).toBe(true);
    vi.advanceTimersByTime(1);
    expect(() => files.take(token)).toThrow("Wren no longer has that file; add it again.");
    expect(() => files.take(own.token)).toThrow("Wren no longer has that file; add it again.");
    await vi.waitFor(() => expect(existsSync(path)).toBe(false));
    expect(existsSync(join(personalDir, "b.txt"))).toBe(true);
  });

  it("forgets an unfinished stream after ttlMs, deleting its copy", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const files = staging({ ttlMs: 60_000 });
    const token = await files.begin("a.txt", 4, "");
    await files.append(token, 0, b64("ab"));
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(() =>
      expect(existsSync(join(stagingDir, `.wren-stage-${token}`))).toBe(false),
    );
    expect((await failure(() => files.append(token, 2, b64("cd")))).message).toBe(GONE);
  });

  it("does not expire a file once it was taken", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const files = staging({ ttlMs: 60_000 });
    const token = await files.begin("a.txt", 0, "");
    await files.finish(token);
    const entry = files.take(token);
    vi.advanceTimersByTime(120_000);
    // A later staged file's own expiry is the marker that timers have run.
    const later = await files.begin("b.txt", 0, "");
    await files.finish(later);
    vi.advanceTimersByTime(60_000);
    await vi.waitFor(() =>
      expect(existsSync(join(stagingDir, `.wren-stage-${later}`))).toBe(false),
    );
    expect(existsSync(entry.path)).toBe(true);
  });
});
