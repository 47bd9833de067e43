import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  load,
  save,
  SETTINGS_VERSION,
  type Settings,
  type Writer,
} from "../../../main/accounts/settings-file";

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-settings-"));
  path = join(dir, "accounts.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const alice = {
  id: "a1",
  jid: "alice@example.org",
  resource: "laptop",
  priority: 5,
  host: "xmpp.example.org",
  port: 5223,
  directTls: true,
  enabled: true,
  passwordStorage: "keychain" as const,
};
const bob = { id: "b2", jid: "bob@example.net", directTls: false, enabled: false };

function settings(...accounts: Settings["accounts"]): Settings {
  return { version: SETTINGS_VERSION, accounts };
}

describe("load and save", () => {
  it("gives the defaults when there is no file", async () => {
    await expect(load(path)).resolves.toEqual({
      settings: { version: SETTINGS_VERSION, accounts: [] },
    });
  });

  it("round-trips, in a 0600 file, leaving no temp file behind", async () => {
    await save(path, settings(alice, bob));
    await expect(load(path)).resolves.toEqual({ settings: settings(alice, bob) });
    expect(await readdir(dir)).toEqual(["accounts.json"]);
    if (process.platform !== "win32") {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
  });

  it("creates the folder when it does not exist yet", async () => {
    const nested = join(dir, "Wren", "accounts.json");
    await save(nested, settings(bob));
    await expect(load(nested)).resolves.toEqual({ settings: settings(bob) });
  });
});

describe("atomic writes", () => {
  it("keeps the old file intact when writing fails half-way, and cleans up the temp file", async () => {
    await save(path, settings(alice));
    const before = await readFile(path, "utf8");

    const crashHalfWay: Writer = async (file, text) => {
      await file.writeFile(text.slice(0, text.length / 2));
      throw new Error("disk full");
    };
    await expect(save(path, settings(alice, bob), { write: crashHalfWay })).rejects.toMatchObject({
      code: "internal",
    });

    expect(await readFile(path, "utf8")).toBe(before);
    expect(await readdir(dir)).toEqual(["accounts.json"]);
    await expect(load(path)).resolves.toEqual({ settings: settings(alice) });
  });

  it("runs saves one after another, in call order, without interleaving", async () => {
    const events: string[] = [];
    const slowWriter =
      (name: string): Writer =>
      async (file, text) => {
        events.push(`${name} start`);
        await new Promise((done) => setTimeout(done, 30));
        await file.writeFile(text);
        events.push(`${name} end`);
      };
    const first = save(path, settings(alice), { write: slowWriter("first") });
    const second = save(path, settings(bob), { write: slowWriter("second") });
    const third = save(path, settings(alice, bob), { write: slowWriter("third") });
    await Promise.all([first, second, third]);

    expect(events).toEqual([
      "first start",
      "first end",
      "second start",
      "second end",
      "third start",
      "third end",
    ]);
    await expect(load(path)).resolves.toEqual({ settings: settings(alice, bob) });
  });

  it("goes on with the next save after one failed", async () => {
    const failing: Writer = async () => {
      throw new Error("boom");
    };
    const first = save(path, settings(alice), { write: failing });
    const second = save(path, settings(bob));
    await expect(first).rejects.toThrow();
    await expect(second).resolves.toBeUndefined();
    await expect(load(path)).resolves.toEqual({ settings: settings(bob) });
  });

  it("takes the settings as they were when save() was called", async () => {
    const value = settings(alice);
    const saved = save(path, value);
    value.accounts.push(bob);
    await saved;
    await expect(load(path)).resolves.toEqual({ settings: settings(alice) });
  });
});

describe("damaged files", () => {
  it.each([
    ["not JSON", "{ this is not json", /not valid JSON/],
    ["no version", JSON.stringify({ accounts: [] }), /no format version/],
    [
      "invalid content",
      JSON.stringify({ version: 1, accounts: [{ id: "x", jid: "nope" }] }),
      /accounts\.0/,
    ],
    [
      "duplicate ids",
      JSON.stringify({ version: 1, accounts: [bob, { ...bob, jid: "c@example.org" }] }),
      /same id/,
    ],
    [
      "a password",
      JSON.stringify({ version: 1, accounts: [{ ...bob, password: "hunter2" }] }),
      /secret/,
    ],
  ])("keeps a file with %s aside and reports it", async (_, text, reason) => {
    await writeFile(path, text);
    const { settings: loaded, problem } = await load(path);

    expect(loaded).toEqual({ version: SETTINGS_VERSION, accounts: [] });
    expect(problem?.kind).toBe("damaged");
    expect(problem?.message).toMatch(reason);
    expect(problem?.keptAsidePath).toMatch(/accounts\.json\.damaged-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(problem?.message).toContain(problem?.keptAsidePath ?? "?");
    expect(await readFile(problem?.keptAsidePath ?? "", "utf8")).toBe(text);
    expect(await readdir(dir)).not.toContain("accounts.json");
  });

  it("never replaces a file kept aside earlier", async () => {
    await writeFile(path, "first damage");
    const first = await load(path);
    await writeFile(path, "second damage");
    const second = await load(path);
    expect(second.problem?.keptAsidePath).not.toBe(first.problem?.keptAsidePath);
    expect(await readFile(first.problem?.keptAsidePath ?? "", "utf8")).toBe("first damage");
    expect(await readFile(second.problem?.keptAsidePath ?? "", "utf8")).toBe("second damage");
  });
});

describe("files from a newer Wren", () => {
  it("reports them, leaves them in place and refuses to overwrite them", async () => {
    const future = JSON.stringify({ version: SETTINGS_VERSION + 1, accounts: [], shiny: true });
    await writeFile(path, future);

    const { settings: loaded, problem } = await load(path);
    expect(loaded.accounts).toEqual([]);
    expect(problem).toEqual({
      kind: "future-version",
      message: expect.stringMatching(
        new RegExp(`newer version of Wren \\(format ${SETTINGS_VERSION + 1}\\)`),
      ),
      keptAsidePath: null,
    });

    await expect(save(path, settings(alice))).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringMatching(/will not overwrite/),
    });
    expect(await readFile(path, "utf8")).toBe(future);
  });
});

describe("migrations", () => {
  it("runs the step for each older version up to the current one", async () => {
    await writeFile(path, JSON.stringify({ version: 0, list: [bob] }));
    const migrations = {
      0: (old: Record<string, unknown>) => ({ version: 1, accounts: old.list }),
      1: (old: Record<string, unknown>) => ({ ...old, version: 2 }),
      2: (old: Record<string, unknown>) => ({ ...old, version: 3 }),
    };
    await expect(load(path, { migrations })).resolves.toEqual({ settings: settings(bob) });
  });

  it("reads a version-1 file, whose accounts have no security record yet", async () => {
    await writeFile(path, JSON.stringify({ version: 1, accounts: [bob] }));
    await expect(load(path)).resolves.toEqual({ settings: settings(bob) });
  });

  it("reads a version-2 file as version 3, its accounts keeping their history", async () => {
    await writeFile(path, JSON.stringify({ version: 2, accounts: [alice, bob] }));
    const { settings: loaded, problem } = await load(path);
    expect(problem).toBeUndefined();
    expect(loaded).toEqual({ version: 3, accounts: [alice, bob] });
    // Absent means kept: a version-2 account kept its messages, and still does.
    expect(loaded.accounts.map((account) => account.keepHistory)).toEqual([undefined, undefined]);
  });

  it("keeps an account's choice not to keep history", async () => {
    await save(path, settings({ ...bob, keepHistory: false }));
    await expect(load(path)).resolves.toEqual({
      settings: settings({ ...bob, keepHistory: false }),
    });
    await expect(
      save(path, settings({ ...bob, keepHistory: "no" } as unknown as typeof bob)),
    ).rejects.toMatchObject({ message: expect.stringContaining("accounts.0.keepHistory") });
  });

  it("keeps a trusted certificate and a mechanism pin", async () => {
    const pinned = {
      ...bob,
      trustedCertificate: Array.from({ length: 32 }, () => "AB").join(":"),
      mechanismPin: { mechanism: "SCRAM-SHA-256-PLUS" as const, channelBinding: true },
    };
    await save(path, settings(pinned));
    await expect(load(path)).resolves.toEqual({ settings: settings(pinned) });
  });

  it("treats a version without a migration as damaged", async () => {
    await writeFile(path, JSON.stringify({ version: 0, list: [] }));
    const { problem } = await load(path);
    expect(problem).toMatchObject({ kind: "damaged", message: expect.stringMatching(/format 0/) });
  });
});

describe("secrets", () => {
  it.each(["password", "pass", "Passwd", "token", "clientSecret", "credentials"])(
    "refuses settings with a %s key, writing nothing",
    async (key) => {
      const withSecret = settings({ ...bob, [key]: "hunter2" } as typeof bob);
      await expect(save(path, withSecret)).rejects.toMatchObject({
        code: "invalid-argument",
        message: expect.stringContaining(key),
      });
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it("refuses unknown keys and invalid values too", async () => {
    await expect(
      save(path, settings({ ...bob, colour: "red" } as typeof bob)),
    ).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(save(path, settings({ ...bob, port: 70000 }))).rejects.toMatchObject({
      code: "invalid-argument",
      message: expect.stringContaining("accounts.0.port"),
    });
  });
});
