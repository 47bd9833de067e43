import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { WrenError } from "../shared/errors";

// The accounts file: every account setting except secrets, in the app-data folder (the caller
// passes the path). Versioned, written atomically (temp file, fsync, rename), one write at a time.
// A file that cannot be read is renamed aside and reported, never silently replaced; a file from a
// newer Wren is left alone and never overwritten.

export const SETTINGS_VERSION = 3;

const MAX_ACCOUNTS = 100;

const account = z
  .object({
    /** Stable, never reused; other data (keychain entries, history) hangs off it. */
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/),
    jid: z
      .string()
      .max(3071)
      .regex(/^[^@/\s]+@[^@/\s]+$/),
    resource: z.string().min(1).max(1023).optional(),
    priority: z.number().int().min(-128).max(127).optional(),
    host: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    directTls: z.boolean(),
    enabled: z.boolean(),
    /** Where the password lives, if anywhere; never in this file. */
    passwordStorage: z.enum(["keychain", "safe-storage", "none"]).optional(),
    /** How the account signs in; absent means with a password. */
    authentication: z.enum(["password", "client-certificate"]).optional(),
    /** SHA-256 fingerprint of a server certificate the person chose to trust. */
    trustedCertificate: z
      .string()
      .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
      .optional(),
    /** The strongest SASL mechanism the server offered so far; anything weaker is refused. */
    mechanismPin: z
      .object({
        mechanism: z.enum([
          "SCRAM-SHA-256-PLUS",
          "SCRAM-SHA-1-PLUS",
          "SCRAM-SHA-256",
          "SCRAM-SHA-1",
          "PLAIN",
          "EXTERNAL",
        ]),
        channelBinding: z.boolean(),
      })
      .strict()
      .optional(),
    /** Whether its messages are kept on this computer; absent means they are. */
    keepHistory: z.boolean().optional(),
  })
  .strict();

const settingsSchema = z
  .object({
    version: z.literal(SETTINGS_VERSION),
    accounts: z.array(account).max(MAX_ACCOUNTS),
  })
  .strict()
  .refine(
    (settings) => new Set(settings.accounts.map((a) => a.id)).size === settings.accounts.length,
    {
      message: "two accounts have the same id",
    },
  );

export type AccountSettings = z.infer<typeof account>;
export type Settings = z.infer<typeof settingsSchema>;

/**
 * Steps from one version to the next: `migrations[n]` turns a version-n file into version n+1.
 * Add one with every change of the format, and bump SETTINGS_VERSION.
 */
export type Migrations = Record<number, (old: Record<string, unknown>) => Record<string, unknown>>;
export const MIGRATIONS: Migrations = {
  // Version 2 added the optional trustedCertificate and mechanismPin: version-1 files stay valid,
  // and the bump makes an older Wren leave a version-2 file alone instead of calling it damaged.
  1: (old) => ({ ...old, version: 2 }),
  // Version 3 added the optional keepHistory (absent: kept), for the same reason.
  2: (old) => ({ ...old, version: 3 }),
};

export interface LoadProblem {
  kind: "damaged" | "future-version";
  /** Written for the person using Wren. */
  message: string;
  /** Where the damaged file was moved; null when it was left in place (a newer version's file). */
  keptAsidePath: string | null;
}

export interface LoadResult {
  settings: Settings;
  problem?: LoadProblem;
}

export function defaultSettings(): Settings {
  return { version: SETTINGS_VERSION, accounts: [] };
}

/**
 * Reads the settings at `path`. A missing file gives the defaults. A damaged or invalid one is
 * renamed to `<name>.damaged-<timestamp>` and reported, and the defaults are returned. A file
 * written by a newer Wren is reported and left untouched (save() will refuse to overwrite it).
 */
export async function load(
  path: string,
  options: { migrations?: Migrations } = {},
): Promise<LoadResult> {
  const file = resolve(path);
  // Not in the middle of one of our own writes.
  await queues.get(file);

  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (isNotFound(error)) return { settings: defaultSettings() };
    throw new WrenError("internal", `Wren could not read its account settings (${file}).`, {
      cause: error,
    });
  }

  const checked = check(text, options.migrations ?? MIGRATIONS);
  if (checked.ok) return { settings: checked.settings };
  if (checked.future !== undefined) {
    return {
      settings: defaultSettings(),
      problem: {
        kind: "future-version",
        message: `The account settings in ${file} were written by a newer version of Wren (format ${checked.future}). Wren left them untouched and will not change them; update Wren to use them.`,
        keptAsidePath: null,
      },
    };
  }
  const keptAsidePath = await keepAside(file);
  return {
    settings: defaultSettings(),
    problem: {
      kind: "damaged",
      message: `The account settings file was damaged (${checked.reason}), so its accounts could not be loaded. The file was kept as ${keptAsidePath}.`,
      keptAsidePath,
    },
  };
}

/** How save() puts the bytes into the temp file; replaceable so tests can fail half-way. */
export type Writer = (file: FileHandle, text: string) => Promise<void>;

const writeAll: Writer = async (file, text) => {
  await file.writeFile(text, "utf8");
};

/**
 * Writes `settings` to `path` atomically: a temp file in the same folder (mode 0600), fsync,
 * rename over the old file. Saves to one path run one after another, in call order. Refuses
 * settings that are invalid or carry anything that looks like a password, and refuses to replace
 * a file written by a newer Wren.
 */
export function save(
  path: string,
  settings: Settings,
  options: { write?: Writer } = {},
): Promise<void> {
  const file = resolve(path);
  // Checked now, not when its turn comes: the caller may change the object meanwhile.
  let text: string;
  try {
    text = serialize(settings);
  } catch (error) {
    return Promise.reject(error);
  }
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(() => writeAtomically(file, text, options.write ?? writeAll));
  const settled = next.catch(() => {});
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return next;
}

/** The write queued last for each file; a new save waits for it. */
const queues = new Map<string, Promise<void>>();

function serialize(settings: Settings): string {
  const secret = findSecretKey(settings);
  if (secret) {
    throw new WrenError(
      "invalid-argument",
      `Account settings must not contain secrets (found “${secret}”). Passwords belong in the keychain.`,
    );
  }
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new WrenError(
      "invalid-argument",
      `These account settings are not valid: ${describeIssues(parsed.error)}.`,
    );
  }
  return `${JSON.stringify(parsed.data, null, 2)}\n`;
}

async function writeAtomically(file: string, text: string, write: Writer): Promise<void> {
  const future = await futureVersionOnDisk(file);
  if (future !== undefined) {
    throw new WrenError(
      "not-available",
      `The account settings in ${file} were written by a newer version of Wren (format ${future}); Wren will not overwrite them.`,
    );
  }
  const folder = dirname(file);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temp = join(
    folder,
    `.${basename(file)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`,
  );
  let handle: FileHandle | null = null;
  try {
    handle = await open(temp, "wx", 0o600);
    await write(handle, text);
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => {});
    // A temporary file left behind is harmless (the next save replaces it); the error below is not.
    await unlink(temp).catch(() => {});
    throw new WrenError("internal", `Wren could not save its account settings (${file}).`, {
      cause: error,
    });
  }
  await syncFolder(folder);
}

/** Makes the rename itself durable. Not possible on Windows, where it is not needed either. */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === "win32") return;
  let handle: FileHandle | null = null;
  try {
    handle = await open(folder, "r");
    await handle.sync();
  } catch {
    // Best effort: the data is already safely in the file.
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function futureVersionOnDisk(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const version = versionOf(parseJson(text));
  return version !== undefined && version > SETTINGS_VERSION ? version : undefined;
}

type Checked = { ok: true; settings: Settings } | { ok: false; future?: number; reason: string };

function check(text: string, migrations: Migrations): Checked {
  let value = parseJson(text);
  if (value === undefined) return { ok: false, reason: "it is not valid JSON" };
  let version = versionOf(value);
  if (version === undefined || version < 0) {
    return { ok: false, reason: "it has no format version" };
  }
  if (version > SETTINGS_VERSION) return { ok: false, future: version, reason: "newer format" };
  while (version < SETTINGS_VERSION) {
    const migrate = migrations[version];
    if (!migrate) return { ok: false, reason: `format ${version} can no longer be read` };
    try {
      value = migrate(value as Record<string, unknown>);
    } catch {
      return { ok: false, reason: `format ${version} could not be converted` };
    }
    version++;
  }
  if (findSecretKey(value)) return { ok: false, reason: "it contains a secret" };
  const parsed = settingsSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  return { ok: true, settings: parsed.data };
}

/** Moves a damaged file next to itself under a name that says so, and returns that name. */
async function keepAside(file: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (let attempt = 0; ; attempt++) {
    const target = `${file}.damaged-${stamp}${attempt ? `-${attempt}` : ""}`;
    // Claim the name first ("wx" fails when it exists): rename alone would silently replace a file
    // kept aside earlier. Then the rename replaces only our own empty placeholder.
    let claimed = false;
    try {
      await (await open(target, "wx", 0o600)).close();
      claimed = true;
      await rename(file, target);
      return target;
    } catch (error) {
      if (claimed) await unlink(target).catch(() => {});
      if (!claimed && isExists(error) && attempt < 100) continue;
      throw new WrenError(
        "internal",
        `The account settings file ${file} is damaged, and Wren could not move it aside.`,
        { cause: error },
      );
    }
  }
}

const SECRET_KEY = /pass|secret|token|credential|private.?key/i;
const ALLOWED_KEYS = new Set(["passwordStorage"]);

/** The first key anywhere in `value` that looks like it holds a secret. */
function findSecretKey(value: unknown, depth = 0): string | null {
  if (depth > 8 || typeof value !== "object" || value === null) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (!ALLOWED_KEYS.has(key) && SECRET_KEY.test(key)) return key;
    const found = findSecretKey(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function versionOf(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const version = (value as { version?: unknown }).version;
  return typeof version === "number" && Number.isInteger(version) ? version : undefined;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) =>
      issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ENOENT";
}

function isExists(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EEXIST";
}
