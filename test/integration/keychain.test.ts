// The keychain store against a real Secret Service: gnome-keyring on a private D-Bus session bus,
// started before vitest by test/setup/keyring.ts. Never the developer's own keyring.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureLogging } from "../../main/shared/log";
import {
  createKeytarStore,
  loadKeytar,
  PROBE_ACCOUNT,
  probeKeychain,
  type KeytarLike,
} from "../../main/credentials/keytar-store";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");

// Its own service name per run, so nothing collides with an earlier run's leftovers.
const SERVICE = `im.wren.Wren.test-${randomBytes(4).toString("hex")}`;
const ALICE = "alice@example.org";
const BOB = "bob@example.org";
const PASSWORD = "correct horse battery staple";

configureLogging({ sinks: [] });

describe("keychain store on a real Secret Service", () => {
  let keytar: KeytarLike & { findCredentials(service: string): Promise<{ account: string }[]> };

  beforeAll(async () => {
    if (!process.env.WREN_TEST_KEYRING || !process.env.DBUS_SESSION_BUS_ADDRESS) {
      throw new Error(
        "The keychain tests need a private Secret Service: run them through `tsx test/run.ts`, which " +
          "starts one with test/setup/keyring.ts (needs `apt-get install dbus gnome-keyring " +
          "libsecret-1-dev`). They refuse to run against your own keyring.",
      );
    }
    keytar = (await loadKeytar()) as typeof keytar;
  });

  afterAll(async () => {
    if (!keytar) return;
    for (const { account } of await keytar.findCredentials(SERVICE)) {
      await keytar.deletePassword(SERVICE, account);
    }
  });

  it("probe finds it working, and leaves no entry behind", async () => {
    expect(await probeKeychain({ service: SERVICE })).toEqual({ available: true });
    expect(await keytar.getPassword(SERVICE, PROBE_ACCOUNT)).toBeNull();
    expect(await keytar.findCredentials(SERVICE)).toEqual([]);
  });

  it("sets, gets, replaces and deletes a password, per account", async () => {
    const store = createKeytarStore({ service: SERVICE });
    expect(await store.get(ALICE)).toBeNull();

    await store.set(ALICE, PASSWORD);
    await store.set(BOB, "bob's own");
    expect(await store.get(ALICE)).toBe(PASSWORD);
    expect(await keytar.getPassword(SERVICE, ALICE)).toBe(PASSWORD);

    await store.set(ALICE, "a new one");
    expect(await store.get(ALICE)).toBe("a new one");

    await store.delete(ALICE);
    expect(await store.get(ALICE)).toBeNull();
    expect(await store.get(BOB)).toBe("bob's own");
    await expect(store.delete(ALICE)).resolves.toBeUndefined();
  });

  it("removes the keychain entry when an account's password is deleted", async () => {
    const store = createKeytarStore({ service: SERVICE });
    await store.set(ALICE, PASSWORD);
    expect((await keytar.findCredentials(SERVICE)).map((c) => c.account)).toContain(ALICE);

    await store.delete(ALICE);
    // Checked with keytar directly, not through the store under test.
    expect(await keytar.getPassword(SERVICE, ALICE)).toBeNull();
    expect((await keytar.findCredentials(SERVICE)).map((c) => c.account)).not.toContain(ALICE);
  });

  it("keeps non-ASCII passwords and account ids intact", async () => {
    const store = createKeytarStore({ service: SERVICE });
    await store.set("zoë@exämple.org", "pässwörd ✓ 密码");
    expect(await store.get("zoë@exämple.org")).toBe("pässwörd ✓ 密码");
    await store.delete("zoë@exämple.org");
  });
});

/**
 * The probe and the store in a fresh Node process whose environment has no reachable Secret Service.
 * A child process, because libsecret connects to the session bus once per process.
 */
async function withoutKeychain(env: Record<string, string | undefined>): Promise<{
  probe: { available: boolean; reason?: string };
  elapsedMs: number;
  storeError: { name: string; code: string; message: string };
}> {
  const module = pathToFileURL(resolve(root, "main/credentials/keytar-store.ts")).href;
  const script = `
    import { configureLogging } from ${JSON.stringify(pathToFileURL(resolve(root, "main/shared/log.ts")).href)};
    import { probeKeychain, createKeytarStore } from ${JSON.stringify(module)};
    configureLogging({ sinks: [] });
    const started = Date.now();
    const probe = await probeKeychain({ timeoutMs: 5000 });
    const elapsedMs = Date.now() - started;
    const storeError = await createKeytarStore({ timeoutMs: 5000 }).set("alice@example.org", "pw").then(
      () => null, (e) => ({ name: e.name, code: e.code, message: e.message }));
    process.stdout.write(JSON.stringify({ probe, elapsedMs, storeError }));
    process.exit(0);
  `;
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "WREN_TEST_KEYRING",
  ]) {
    delete childEnv[name];
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) childEnv[name] = value;
  }
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "--eval", script],
    { cwd: root, env: childEnv, timeout: 20_000 },
  );
  return JSON.parse(stdout);
}

describe("no keychain", () => {
  it("a session bus address that leads nowhere: unavailable, said plainly, within the timeout", async () => {
    const result = await withoutKeychain({
      DBUS_SESSION_BUS_ADDRESS: `unix:path=/nonexistent-wren-${randomBytes(4).toString("hex")}/bus`,
    });
    expect(result.probe).toMatchObject({
      available: false,
      reason: expect.stringMatching(/^No Secret Service \(keychain\) is running/),
    });
    expect(result.elapsedMs).toBeLessThan(5_000);
    expect(result.storeError).toMatchObject({
      name: "WrenError",
      code: "not-available",
      message: expect.stringMatching(
        /^Wren could not reach your system keychain\. No Secret Service/,
      ),
    });
  });

  it("no session bus and no display to autolaunch one: unavailable, said plainly", async () => {
    const result = await withoutKeychain({});
    expect(result.probe).toMatchObject({
      available: false,
      reason: expect.stringMatching(/^No Secret Service \(keychain\) is running/),
    });
    expect(result.elapsedMs).toBeLessThan(5_000);
  });
});
