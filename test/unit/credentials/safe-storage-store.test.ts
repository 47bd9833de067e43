import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CredentialStore } from "../../../main/credentials/credential-store";
import {
  checkSafeStorage,
  createSafeStorageStore,
  nodeSecretFiles,
  type SafeStorageLike,
  type SafeStorageStoreOptions,
} from "../../../main/credentials/safe-storage-store";
import { captureLog } from "./capture-log";
import { fakeSafeStorage } from "./fake-safe-storage";

const PASSWORD = "correct horse battery staple";
const ALICE = "alice@example.org";

let dir: string;
let file: string;
const logLines = captureLog();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-safe-storage-"));
  file = join(dir, "Wren", "credentials.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function open(options: Partial<SafeStorageStoreOptions> = {}): CredentialStore {
  const result = createSafeStorageStore({
    safeStorage: fakeSafeStorage(),
    file,
    platform: "linux",
    ...options,
  });
  if (!result.available) throw new Error(`unexpectedly refused: ${result.reason}`);
  return result.store;
}

describe("checkSafeStorage", () => {
  it.each(["basic_text", "unknown"])("refuses the %s backend on Linux", (backend) => {
    const result = checkSafeStorage(fakeSafeStorage({ backend }), "linux");
    expect(result.available).toBe(false);
    expect(!result.available && result.reason).toMatch(/protect|trusted/);
  });

  it.each(["gnome_libsecret", "kwallet5", "kwallet6"])("accepts the %s backend", (backend) => {
    expect(checkSafeStorage(fakeSafeStorage({ backend }), "linux")).toEqual({ available: true });
  });

  it("refuses when encryption is unavailable, on any system", () => {
    for (const platform of ["linux", "darwin", "win32"] as const) {
      expect(checkSafeStorage(fakeSafeStorage({ available: false }), platform)).toMatchObject({
        available: false,
        reason: expect.stringMatching(/not available/),
      });
    }
  });

  it("treats a Linux safeStorage that cannot name its backend as unknown", () => {
    const { getSelectedStorageBackend: _, ...withoutBackend } = fakeSafeStorage();
    expect(checkSafeStorage(withoutBackend, "linux").available).toBe(false);
  });

  it("needs no backend name on macOS and Windows (Keychain, DPAPI)", () => {
    const { getSelectedStorageBackend: _, ...withoutBackend } = fakeSafeStorage();
    expect(checkSafeStorage(withoutBackend, "darwin")).toEqual({ available: true });
    expect(checkSafeStorage(withoutBackend, "win32")).toEqual({ available: true });
  });
});

describe("safe-storage credential store", () => {
  it("is not created over basic_text, and says why", () => {
    const result = createSafeStorageStore({
      safeStorage: fakeSafeStorage({ backend: "basic_text" }),
      file,
      platform: "linux",
    });
    expect(result).toEqual({ available: false, reason: expect.stringContaining("basic_text") });
  });

  it("round-trips secrets per account, across instances", async () => {
    const safeStorage = fakeSafeStorage();
    const store = open({ safeStorage });
    expect(store.kind).toBe("safe-storage");
    expect(await store.get(ALICE)).toBeNull();
    await store.set(ALICE, PASSWORD);
    await store.set("bob@example.org", "another one");
    expect(await store.get(ALICE)).toBe(PASSWORD);

    const reopened = open({ safeStorage });
    expect(await reopened.get(ALICE)).toBe(PASSWORD);
    expect(await reopened.get("bob@example.org")).toBe("another one");

    await reopened.delete(ALICE);
    expect(await open({ safeStorage }).get(ALICE)).toBeNull();
    expect(await open({ safeStorage }).get("bob@example.org")).toBe("another one");
    await expect(reopened.delete(ALICE)).resolves.toBeUndefined();
  });

  it("writes no plaintext: the file holds only encrypted blobs, mode 0600", async () => {
    await open().set(ALICE, PASSWORD);
    const text = await readFile(file, "utf8");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    const document = JSON.parse(text);
    expect(document.version).toBe(1);
    expect(Object.keys(document.secrets)).toEqual([ALICE]);
    expect(Buffer.from(document.secrets[ALICE], "base64").includes(Buffer.from(PASSWORD))).toBe(
      false,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(logLines.join("")).not.toContain(PASSWORD);
  });

  it("cannot be read with another key", async () => {
    await open().set(ALICE, PASSWORD);
    await expect(open().get(ALICE)).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringMatching(/could not decrypt the saved password for alice@example\.org/),
    });
    expect(logLines.join("")).not.toContain(PASSWORD);
  });

  it("writes atomically: a failed rename leaves the old file whole and no temporary behind", async () => {
    const safeStorage = fakeSafeStorage();
    await open({ safeStorage }).set(ALICE, PASSWORD);
    const before = await readFile(file, "utf8");

    const renames: [string, string][] = [];
    const failing = open({
      safeStorage,
      files: {
        ...nodeSecretFiles,
        rename: async (from, to) => {
          renames.push([from, to]);
          throw Object.assign(new Error("disk on fire"), { code: "EIO" });
        },
      },
    });
    await expect(failing.set("bob@example.org", "other")).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringContaining("EIO"),
    });
    expect(renames).toHaveLength(1);
    expect(renames[0]?.[0]).toMatch(/credentials\.json\.[0-9a-f]+\.tmp$/);
    expect(renames[0]?.[1]).toBe(file);
    expect(await readFile(file, "utf8")).toBe(before);
    expect(await readdir(join(dir, "Wren"))).toEqual(["credentials.json"]);
    // The failed write changed nothing in memory either.
    expect(await failing.get("bob@example.org")).toBeNull();
  });

  it("logs a temporary file it could not remove, and nothing when there was none", async () => {
    const unlinkFails = (code: string) =>
      open({
        files: {
          ...nodeSecretFiles,
          rename: async () => {
            throw Object.assign(new Error("disk on fire"), { code: "EIO" });
          },
          unlink: async () => {
            throw Object.assign(new Error(`unlink ${PASSWORD}`), { code });
          },
        },
      });

    await expect(unlinkFails("EACCES").set(ALICE, PASSWORD)).rejects.toThrow(/EIO/);
    const removal = logLines.filter((line) => line.includes("could not remove a temporary file"));
    expect(removal).toHaveLength(1);
    expect(removal[0]).toMatch(/credentials\.json\.[0-9a-f]+\.tmp/);
    expect(removal[0]).toContain("EACCES");
    expect(logLines.join("")).not.toContain(PASSWORD);

    logLines.length = 0;
    await expect(unlinkFails("ENOENT").set(ALICE, PASSWORD)).rejects.toThrow(/EIO/);
    expect(logLines.join("")).not.toContain("temporary");
  });

  it("writes the whole document to a new 0600 file before renaming it into place", async () => {
    const writes: { path: string; data: string; mode: number }[] = [];
    const store = open({
      files: {
        ...nodeSecretFiles,
        writeNewFile: async (path, data, mode) => {
          writes.push({ path, data, mode });
          await nodeSecretFiles.writeNewFile(path, data, mode);
        },
      },
    });
    await store.set(ALICE, PASSWORD);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.path).not.toBe(file);
    expect(writes[0]?.mode).toBe(0o600);
    expect(JSON.parse(writes[0]?.data ?? "")).toMatchObject({ version: 1 });
  });

  it("keeps concurrent writes from losing each other", async () => {
    const safeStorage = fakeSafeStorage();
    const store = open({ safeStorage });
    const accounts = Array.from({ length: 8 }, (_, i) => `user${i}@example.org`);
    await Promise.all(accounts.map((account) => store.set(account, `pw-${account}`)));
    const reopened = open({ safeStorage });
    for (const account of accounts) expect(await reopened.get(account)).toBe(`pw-${account}`);
  });

  it("sets a damaged file aside (never deletes it) and says so plainly", async () => {
    await mkdir(join(dir, "Wren"), { recursive: true });
    await writeFile(file, "{ this is not json");
    const store = open({ now: () => new Date("2026-01-02T03:04:05.678Z") });

    await expect(store.get(ALICE)).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringMatching(
        /damaged.*credentials\.json\.damaged-2026-01-02T03-04-05-678Z/,
      ),
    });
    const aside = join(dir, "Wren", "credentials.json.damaged-2026-01-02T03-04-05-678Z");
    expect(await readFile(aside, "utf8")).toBe("{ this is not json");
    // Reported once; from then on the store is a new, empty one.
    expect(await store.get(ALICE)).toBeNull();
    await store.set(ALICE, PASSWORD);
    expect(await store.get(ALICE)).toBe(PASSWORD);
    expect(await readFile(aside, "utf8")).toBe("{ this is not json");
  });

  it.each([
    ["wrong version", { version: 2, secrets: {} }],
    ["secrets not an object", { version: 1, secrets: "x" }],
    ["a blob that is not base64", { version: 1, secrets: { [ALICE]: "not base64!" } }],
    ["a blob that is not a string", { version: 1, secrets: { [ALICE]: 42 } }],
  ])("treats %s as damaged", async (_, document) => {
    await mkdir(join(dir, "Wren"), { recursive: true });
    await writeFile(file, JSON.stringify(document));
    await expect(open().get(ALICE)).rejects.toThrow(/damaged/);
    expect((await readdir(join(dir, "Wren"))).some((name) => name.includes(".damaged-"))).toBe(
      true,
    );
  });

  it("keeps a damaged file in place when it cannot be moved aside, and never overwrites it", async () => {
    await mkdir(join(dir, "Wren"), { recursive: true });
    await writeFile(file, "garbage");
    const store = open({
      files: {
        ...nodeSecretFiles,
        rename: async () => {
          throw Object.assign(new Error("nope"), { code: "EACCES" });
        },
      },
    });
    await expect(store.get(ALICE)).rejects.toThrow(/damaged and could not be moved aside/);
    await expect(store.set(ALICE, PASSWORD)).rejects.toThrow(/damaged/);
    expect(await readFile(file, "utf8")).toBe("garbage");
  });

  it("reports an encryption failure without the password", async () => {
    const broken: SafeStorageLike = {
      ...fakeSafeStorage(),
      encryptString: () => {
        throw new Error("Error while encrypting the text provided to safeStorage.encryptString.");
      },
    };
    await expect(open({ safeStorage: broken }).set(ALICE, PASSWORD)).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringContaining("could not encrypt"),
    });
    expect(logLines.join("")).not.toContain(PASSWORD);
    expect(logLines.join("")).toContain(ALICE);
  });

  it("keys by own account ids only, not by inherited names", async () => {
    const safeStorage = fakeSafeStorage();
    const store = open({ safeStorage });
    expect(await store.get("constructor")).toBeNull();
    await store.set("__proto__", PASSWORD);
    const reopened = open({ safeStorage });
    expect(await reopened.get("__proto__")).toBe(PASSWORD);
    expect(await reopened.get("toString")).toBeNull();
  });
});
