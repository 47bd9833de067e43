import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { errorName, WrenError } from "../shared/errors";
import { createLogger, type Logger } from "../shared/log";
import { checkAccountId, checkSecret } from "./account-id";
import type { Availability, CredentialStore } from "./credential-store";

const log = createLogger("app/credentials");

/** The part of Electron's `safeStorage` this store uses; injected, so it is tested without Electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only: "basic_text", "gnome_libsecret", "kwallet", "kwallet5", "kwallet6" or "unknown". */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

// basic_text encrypts with a key written in Chromium's source: anyone with the file has the password.
// unknown is what Electron answers before the app is ready, or when it could not tell.
const WEAK_BACKENDS = new Map([
  [
    "basic_text",
    "Electron's safe storage has no keyring to hold its key on this system (basic_text), so it would not really protect your password.",
  ],
  [
    "unknown",
    "Electron could not tell which keyring protects its safe storage, so it cannot be trusted with your password.",
  ],
]);

/**
 * Whether safeStorage would really protect a password. On Linux the backend must be a real keyring;
 * ask only after Electron's app "ready" event, before which it is always "unknown".
 */
export function checkSafeStorage(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform = process.platform,
): Availability {
  if (!safeStorage.isEncryptionAvailable()) {
    return {
      available: false,
      reason: "Electron's safe storage encryption is not available on this system.",
    };
  }
  if (platform === "linux") {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? "unknown";
    const weakness = WEAK_BACKENDS.get(backend);
    if (weakness !== undefined) return { available: false, reason: weakness };
  }
  return { available: true };
}

/** File operations the store needs; node:fs by default, fakes in tests. */
export interface SecretFiles {
  readFile(path: string): Promise<string>;
  /** Creates `path` with `mode` and flushes it to disk before resolving. */
  writeNewFile(path: string, data: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
}

export const nodeSecretFiles: SecretFiles = {
  readFile: (path) => readFile(path, "utf8"),
  async writeNewFile(path, data, mode) {
    // "wx": never follow or reuse something already there.
    const handle = await open(path, "wx", mode);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  unlink,
  mkdir: async (path) => {
    await mkdir(path, { recursive: true, mode: 0o700 });
  },
};

/** Removes the temporary file a failed atomic write may have left behind. */
export async function removeTemporary(
  files: SecretFiles,
  path: string,
  logger: Logger,
): Promise<void> {
  try {
    await files.unlink(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ENOENT") return; // the write failed before creating it
    logger.warn("could not remove a temporary file", { file: path, code, error: errorName(error) });
  }
}

interface SecretsFile {
  version: 1;
  /** account id → encrypted secret, base64. Account ids are not secret; passwords never appear. */
  secrets: Record<string, string>;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseSecretsFile(text: string): Map<string, string> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // damaged: load() moves it aside and logs that
  }
  if (typeof value !== "object" || value === null) return null;
  const { version, secrets } = value as Record<string, unknown>;
  if (version !== 1 || typeof secrets !== "object" || secrets === null) return null;
  const entries = Object.entries(secrets as Record<string, unknown>);
  if (!entries.every(([, blob]) => typeof blob === "string" && BASE64.test(blob))) return null;
  return new Map(entries as [string, string][]);
}

export interface SafeStorageStoreOptions {
  safeStorage: SafeStorageLike;
  /** The JSON file of encrypted secrets, in the app-data folder. */
  file: string;
  platform?: NodeJS.Platform;
  files?: SecretFiles;
  now?: () => Date;
}

export type SafeStorageStoreResult =
  { available: true; store: CredentialStore } | { available: false; reason: string };

/**
 * Secrets encrypted by Electron's safeStorage, kept as base64 in one JSON file, written atomically
 * (new file, flushed, renamed over the old; mode 0600). Refused, with the reason, when safeStorage
 * would not really protect anything.
 */
export function createSafeStorageStore(options: SafeStorageStoreOptions): SafeStorageStoreResult {
  const { safeStorage, file } = options;
  const files = options.files ?? nodeSecretFiles;
  const now = options.now ?? (() => new Date());
  const check = checkSafeStorage(safeStorage, options.platform);
  if (!check.available) return check;

  let secrets: Map<string, string> | undefined;
  // One operation at a time, so two writes can never interleave and lose an update.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    // The caller gets the failure; the queue only waits for it to be over.
    queue = result.catch(() => undefined);
    return result;
  };

  /** The file's entries; a damaged file is moved aside (never deleted) and reported. */
  async function load(): Promise<{ entries: Map<string, string>; damage?: WrenError }> {
    if (secrets !== undefined) return { entries: secrets };
    let text: string;
    try {
      text = await files.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return { entries: (secrets = new Map()) };
      throw new WrenError(
        "not-available",
        `Wren could not read its file of saved passwords (${errorCode(error)}).`,
        {
          cause: error,
        },
      );
    }
    const parsed = parseSecretsFile(text);
    if (parsed !== null) return { entries: (secrets = parsed) };

    const aside = `${file}.damaged-${now().toISOString().replace(/[:.]/g, "-")}`;
    try {
      await files.rename(file, aside);
    } catch (error) {
      log.error("the saved-passwords file is damaged and could not be moved aside", { file });
      throw new WrenError(
        "not-available",
        `Wren's file of saved passwords (${file}) is damaged and could not be moved aside (${errorCode(error)}). Move or remove it, then enter your password again.`,
        { cause: error },
      );
    }
    log.warn("the saved-passwords file was damaged; it was moved aside", { file, aside });
    secrets = new Map();
    const damage = new WrenError(
      "not-available",
      `Wren's file of saved passwords was damaged. It was kept as ${basename(aside)} next to the original, and Wren starts a new one: enter your password again to save it.`,
    );
    return { entries: secrets, damage };
  }

  async function save(entries: Map<string, string>): Promise<void> {
    const document: SecretsFile = { version: 1, secrets: Object.fromEntries(entries) };
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await files.mkdir(dirname(file));
      await files.writeNewFile(temporary, `${JSON.stringify(document, null, 2)}\n`, 0o600);
      await files.rename(temporary, file);
    } catch (error) {
      await removeTemporary(files, temporary, log);
      throw new WrenError(
        "not-available",
        `Wren could not save its file of saved passwords (${errorCode(error)}).`,
        {
          cause: error,
        },
      );
    }
  }

  const store: CredentialStore = {
    kind: "safe-storage",
    async get(accountId) {
      checkAccountId(accountId);
      return serial(async () => {
        const { entries, damage } = await load();
        if (damage) throw damage;
        const blob = entries.get(accountId);
        if (blob === undefined) return null;
        try {
          return safeStorage.decryptString(Buffer.from(blob, "base64"));
        } catch (error) {
          log.warn("could not decrypt a saved password", { accountId });
          throw new WrenError(
            "not-available",
            `Wren could not decrypt the saved password for ${accountId}; the key that protects it may have changed. Enter the password again.`,
            { cause: error },
          );
        }
      });
    },
    async set(accountId, secret) {
      checkAccountId(accountId);
      checkSecret(secret);
      return serial(async () => {
        // A damaged file is already kept aside by load(); saving this password starts the new one.
        const { entries } = await load();
        let blob: string;
        try {
          blob = safeStorage.encryptString(secret).toString("base64");
        } catch (error) {
          log.warn("could not encrypt a password", { accountId });
          throw new WrenError(
            "not-available",
            "Wren could not encrypt your password with Electron's safe storage.",
            {
              cause: error,
            },
          );
        }
        const next = new Map(entries).set(accountId, blob);
        await save(next);
        secrets = next;
      });
    },
    async delete(accountId) {
      checkAccountId(accountId);
      return serial(async () => {
        const { entries, damage } = await load();
        if (damage) throw damage;
        if (!entries.has(accountId)) return;
        const next = new Map(entries);
        next.delete(accountId);
        await save(next);
        secrets = next;
      });
    },
  };
  return { available: true, store };
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}
