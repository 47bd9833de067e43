import { describe, expect, it } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import {
  createKeytarStore,
  PROBE_ACCOUNT,
  probeKeychain,
  type KeytarLike,
} from "../../../main/credentials/keytar-store";
import { captureLog } from "./capture-log";

const PASSWORD = "correct horse battery staple";
const ALICE = "alice@example.org";
const logLines = captureLog();

/** keytar over a Map, keyed "service/account", with a way to make every call fail or hang. */
function fakeKeytar(behaviour: { fail?: string; hang?: boolean } = {}) {
  const entries = new Map<string, string>();
  const calls: string[] = [];
  const act = async <T>(name: string, work: () => T): Promise<T> => {
    calls.push(name);
    if (behaviour.hang) return new Promise<T>(() => {});
    if (behaviour.fail) throw new Error(behaviour.fail);
    return work();
  };
  const keytar: KeytarLike = {
    getPassword: (service, account) =>
      act("get", () => entries.get(`${service}/${account}`) ?? null),
    setPassword: (service, account, password) =>
      act("set", () => void entries.set(`${service}/${account}`, password)),
    deletePassword: (service, account) =>
      act("delete", () => entries.delete(`${service}/${account}`)),
  };
  return { keytar, entries, calls };
}

describe("keytar credential store", () => {
  it("files secrets under the service, keyed by account id", async () => {
    const { keytar, entries } = fakeKeytar();
    const store = createKeytarStore({ service: "im.wren.Wren", load: async () => keytar });
    expect(store.kind).toBe("keychain");
    await store.set(ALICE, PASSWORD);
    expect([...entries]).toEqual([[`im.wren.Wren/${ALICE}`, PASSWORD]]);
    expect(await store.get(ALICE)).toBe(PASSWORD);
    await store.delete(ALICE);
    expect(entries.size).toBe(0);
    expect(await store.get(ALICE)).toBeNull();
    await expect(store.delete(ALICE)).resolves.toBeUndefined();
  });

  it("loads keytar once, on first use", async () => {
    let loads = 0;
    const { keytar } = fakeKeytar();
    const store = createKeytarStore({
      load: async () => {
        loads += 1;
        return keytar;
      },
    });
    expect(loads).toBe(0);
    await store.get(ALICE);
    await store.set(ALICE, PASSWORD);
    expect(loads).toBe(1);
  });

  it("turns keychain failures into readable WrenErrors, logging the account but not the secret", async () => {
    const { keytar } = fakeKeytar({ fail: "Cannot autolaunch D-Bus without X11 $DISPLAY" });
    const store = createKeytarStore({ load: async () => keytar });
    const error = await store.set(ALICE, PASSWORD).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrenError);
    expect(error).toMatchObject({
      code: "not-available",
      message:
        "Wren could not reach your system keychain. No Secret Service (keychain) is running: there is no desktop session bus (D-Bus) to reach one.",
    });
    const log = logLines.join("");
    expect(log).toContain(ALICE);
    expect(log).toContain("Cannot autolaunch D-Bus");
    expect(log).not.toContain(PASSWORD);
  });

  it("turns a keytar that cannot load into an error, not a crash", async () => {
    const store = createKeytarStore({
      load: async () => {
        throw new Error("Cannot find module '../build/Release/keytar.node'");
      },
    });
    await expect(store.get(ALICE)).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringContaining("keychain module (keytar) could not be loaded"),
    });
  });

  it("stops waiting for a keychain that does not answer", async () => {
    const { keytar } = fakeKeytar({ hang: true });
    const store = createKeytarStore({ load: async () => keytar, timeoutMs: 50 });
    await expect(store.get(ALICE)).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringContaining("did not answer within 1 second"),
    });
  });

  it("refuses an empty account id or password before touching the keychain", async () => {
    const { keytar, calls } = fakeKeytar();
    const store = createKeytarStore({ load: async () => keytar });
    await expect(store.set(ALICE, "")).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(store.get(" ")).rejects.toMatchObject({ code: "invalid-argument" });
    expect(calls).toEqual([]);
  });
});

describe("probeKeychain", () => {
  it("writes, reads back and deletes its own entry", async () => {
    const { keytar, entries, calls } = fakeKeytar();
    entries.set(`Wren-test/${ALICE}`, PASSWORD);
    expect(await probeKeychain({ service: "Wren-test", load: async () => keytar })).toEqual({
      available: true,
    });
    expect(calls).toEqual(["set", "get", "delete"]);
    expect([...entries.keys()]).toEqual([`Wren-test/${ALICE}`]);
    expect(PROBE_ACCOUNT).not.toBe(ALICE);
  });

  it("reports a keychain that cannot write, even though reads succeed", async () => {
    const { keytar } = fakeKeytar();
    keytar.setPassword = async () => {
      throw new Error("Object does not exist at path “/org/freedesktop/secrets/collection/login”");
    };
    expect(await probeKeychain({ load: async () => keytar })).toEqual({
      available: false,
      reason: expect.stringMatching(/locked or has no default keyring/),
      detail: expect.stringContaining("collection/login"),
    });
  });

  it("reports a keychain that does not give back what was saved, and cleans up", async () => {
    const { keytar, entries } = fakeKeytar();
    keytar.getPassword = async () => "something else";
    const result = await probeKeychain({ load: async () => keytar });
    expect(result.available).toBe(false);
    expect(entries.size).toBe(0);
  });

  it("gives up after its timeout with a plain reason", async () => {
    const { keytar } = fakeKeytar({ hang: true });
    const started = Date.now();
    expect(await probeKeychain({ load: async () => keytar, timeoutMs: 100 })).toEqual({
      available: false,
      reason: "The system keychain did not answer within 1 second.",
      detail: "no answer within 100 ms",
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("reports a missing native module as unavailable", async () => {
    const result = await probeKeychain({
      load: async () => {
        throw new Error("libsecret-1.so.0: cannot open shared object file");
      },
    });
    expect(result).toEqual({
      available: false,
      reason: expect.stringContaining("could not be loaded (libsecret-1.so.0"),
      detail: "libsecret-1.so.0: cannot open shared object file",
    });
  });
});
