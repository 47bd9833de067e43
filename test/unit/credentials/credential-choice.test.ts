import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCredentialChoice } from "../../../main/credentials/credential-choice";
import type { KeychainProbe } from "../../../main/credentials/keytar-store";
import type { SafeStorageLike } from "../../../main/credentials/safe-storage-store";
import { recordingStore } from "../accounts/fake-sessions";
import { captureLog } from "./capture-log";
import { fakeSafeStorage } from "./fake-safe-storage";

const logLines = captureLog();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-choice-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const noKeychain: KeychainProbe = { available: false, reason: "No keychain here.", detail: "x" };

function choice(options: { keychain?: KeychainProbe; safeStorage?: SafeStorageLike | null } = {}) {
  const keychain = recordingStore();
  const made = createCredentialChoice({
    file: join(dir, "credentials.json"),
    safeStorageFile: join(dir, "passwords.json"),
    safeStorage: options.safeStorage ?? null,
    platform: "linux",
    probeKeychain: async () => options.keychain ?? { available: true },
    createKeychainStore: () => keychain,
  });
  return { choice: made, keychain };
}

describe("createCredentialChoice", () => {
  it("uses the keychain when it works and nothing was chosen", async () => {
    const { choice: c, keychain } = choice();
    expect(await c.start()).toEqual({ kind: "keychain", ask: null });
    expect(c.store.kind).toBe("keychain");
    await c.store.set("a1", "secret-1");
    expect(keychain.calls).toEqual(["set a1"]);
  });

  it("keeps passwords in memory and asks when the keychain does not work", async () => {
    const { choice: c, keychain } = choice({ keychain: noKeychain });
    expect(await c.start()).toEqual({
      kind: null,
      ask: { reason: "No keychain here.", options: ["none"] },
    });
    expect(c.store.kind).toBe("none");
    await c.store.set("a1", "secret-1");
    expect(await c.store.get("a1")).toBe("secret-1");
    expect(keychain.calls).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("offers safe storage only when it really protects (not basic_text)", async () => {
    const weak = choice({
      keychain: noKeychain,
      safeStorage: fakeSafeStorage({ backend: "basic_text" }),
    });
    expect((await weak.choice.start()).ask?.options).toEqual(["none"]);
    const strong = choice({ keychain: noKeychain, safeStorage: fakeSafeStorage() });
    expect((await strong.choice.start()).ask?.options).toEqual(["safe-storage", "none"]);
  });

  it("persists a valid choice atomically and uses it at once", async () => {
    const { choice: c } = choice({ keychain: noKeychain, safeStorage: fakeSafeStorage() });
    await c.start();
    expect(await c.choose("safe-storage")).toEqual({ kind: "safe-storage", ask: null });
    expect(c.store.kind).toBe("safe-storage");
    const file = join(dir, "credentials.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ version: 1, kind: "safe-storage" });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    await c.store.set("a1", "secret-xyz");
    expect(await readFile(join(dir, "passwords.json"), "utf8")).not.toContain("secret-xyz");
    expect(logLines.join("\n")).not.toContain("secret-xyz");
  });

  it("refuses a choice that is not offered, or any when not asking", async () => {
    const asking = choice({ keychain: noKeychain });
    await asking.choice.start();
    await expect(asking.choice.choose("keychain")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(asking.choice.choose("bogus" as never)).rejects.toMatchObject({
      code: "invalid-argument",
    });
    const settled = choice();
    await settled.choice.start();
    await expect(settled.choice.choose("none")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(settled.choice.choose("keychain")).resolves.toEqual({
      kind: "keychain",
      ask: null,
    });
  });

  it("follows the saved choice, and asks again when it no longer works", async () => {
    await writeFile(join(dir, "credentials.json"), JSON.stringify({ version: 1, kind: "none" }));
    expect(await choice({ keychain: noKeychain }).choice.start()).toEqual({
      kind: "none",
      ask: null,
    });
    await writeFile(
      join(dir, "credentials.json"),
      JSON.stringify({ version: 1, kind: "safe-storage" }),
    );
    const status = await choice({ safeStorage: null }).choice.start();
    expect(status.kind).toBeNull();
    expect(status.ask?.options).toEqual(["keychain", "none"]);
  });

  it("ignores a damaged choice file (the keychain default applies)", async () => {
    await writeFile(join(dir, "credentials.json"), "{ nope");
    expect(await choice().choice.start()).toEqual({ kind: "keychain", ask: null });
    expect(logLines.join("\n")).toMatch(/not valid/);
  });

  it("treats a probe that throws as an unavailable keychain", async () => {
    const c = createCredentialChoice({
      file: join(dir, "credentials.json"),
      safeStorageFile: join(dir, "passwords.json"),
      probeKeychain: async () => {
        throw new Error("boom");
      },
      createKeychainStore: () => recordingStore(),
    });
    expect((await c.start()).ask?.options).toEqual(["none"]);
  });
});
