import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import type { CredentialStatus } from "../../preload/contract";
import { errorName, WrenError } from "../shared/errors";
import { createLogger, type Logger } from "../shared/log";
import { chooseStore, type StoreDecision } from "./choose-store";
import type { Availability, CredentialStore, CredentialStoreKind } from "./credential-store";
import { createKeytarStore, probeKeychain, type KeychainProbe } from "./keytar-store";
import { createMemoryStore } from "./memory-store";
import {
  checkSafeStorage,
  createSafeStorageStore,
  nodeSecretFiles,
  removeTemporary,
  type SafeStorageLike,
  type SecretFiles,
} from "./safe-storage-store";

// Which credential store Wren uses, decided at start and when the person answers. Until a store
// is decided, passwords live in memory only, and the status says so (the UI asks): never silent.

export interface CredentialChoiceOptions {
  /** credentials.json, next to accounts.json: `{ version: 1, kind }`, the person's answer. */
  file: string;
  /** The encrypted-passwords file used when the person picks safe storage. */
  safeStorageFile: string;
  /** Electron's safeStorage; absent in the browser preview. */
  safeStorage?: SafeStorageLike | null;
  platform?: NodeJS.Platform;
  /** Defaults to the real keychain probe and store (keytar). */
  probeKeychain?: () => Promise<KeychainProbe>;
  createKeychainStore?: () => CredentialStore;
  files?: SecretFiles;
  log?: Logger;
}

export interface CredentialChoice {
  /** Give this to the AccountManager: it forwards to the store in use (memory until decided). */
  readonly store: CredentialStore;
  /** Probes the stores and reads the saved answer. Call once, after Electron is ready. */
  start(): Promise<CredentialStatus>;
  status(): CredentialStatus;
  /** The person's answer: must be one of the offered options. Persisted, then used at once. */
  choose(kind: CredentialStoreKind): Promise<CredentialStatus>;
}

const CHOICE_VERSION = 1;
const KINDS: readonly CredentialStoreKind[] = ["keychain", "safe-storage", "none"];

export function createCredentialChoice(options: CredentialChoiceOptions): CredentialChoice {
  const log = options.log ?? createLogger("app/credentials");
  const files = options.files ?? nodeSecretFiles;
  const probe = options.probeKeychain ?? (() => probeKeychain());
  const makeKeychainStore = options.createKeychainStore ?? (() => createKeytarStore());
  const pending = createMemoryStore();

  let current: CredentialStore = pending;
  let decided: CredentialStoreKind | null = null;
  let ask: CredentialStatus["ask"] = null;
  let started: Promise<CredentialStatus> | null = null;

  /** The store for `kind`, or why it cannot be made after all. */
  function storeFor(kind: CredentialStoreKind): CredentialStore | { reason: string } {
    if (kind === "none") return createMemoryStore();
    if (kind === "keychain") return makeKeychainStore();
    if (!options.safeStorage) {
      return { reason: "Electron's safe storage is not available here." };
    }
    const made = createSafeStorageStore({
      safeStorage: options.safeStorage,
      file: options.safeStorageFile,
      platform: options.platform,
    });
    return made.available ? made.store : { reason: made.reason };
  }

  function apply(decision: StoreDecision): void {
    if (decision.ask) {
      current = pending;
      decided = null;
      ask = { reason: decision.reason, options: [...decision.options] };
      log.warn("no credential store is decided: asking", {
        reason: decision.reason,
        options: decision.options,
      });
      return;
    }
    const store = storeFor(decision.kind);
    if ("reason" in store) {
      apply({
        ask: true,
        reason: store.reason,
        options: ["none"],
        unavailable: { [decision.kind]: store.reason },
      });
      return;
    }
    current = store;
    decided = decision.kind;
    ask = null;
    log.info("credential store in use", { kind: decision.kind });
  }

  async function probeAll(): Promise<{ keychain: Availability; safeStorage: Availability }> {
    const keychain = await probe().then(
      (result): Availability =>
        result.available ? { available: true } : { available: false, reason: result.reason },
      (error: unknown): Availability => {
        log.warn("the keychain probe failed", { error: errorName(error) });
        return { available: false, reason: "Wren could not check the system keychain." };
      },
    );
    const safeStorage: Availability = options.safeStorage
      ? safeCheck(options.safeStorage, options.platform, log)
      : { available: false, reason: "Electron's safe storage is not available here." };
    return { keychain, safeStorage };
  }

  const status = (): CredentialStatus => ({
    kind: decided,
    ask: ask && { reason: ask.reason, options: [...ask.options] },
  });

  // Forwards to whatever is in use when the call is made.
  const store: CredentialStore = {
    get kind() {
      return current.kind;
    },
    get: (accountId) => current.get(accountId),
    set: (accountId, secret) => current.set(accountId, secret),
    delete: (accountId) => current.delete(accountId),
  };

  return {
    store,
    start() {
      started ??= (async () => {
        const saved = await readChoice(options.file, files, log);
        const probes = await probeAll();
        apply(chooseStore(probes, saved));
        return status();
      })();
      return started;
    },
    status,
    async choose(kind) {
      if (!KINDS.includes(kind)) {
        throw new WrenError("invalid-argument", "Unknown kind of password storage.");
      }
      if (started) await started;
      if (ask === null) {
        if (kind === decided) return status();
        throw new WrenError(
          "invalid-argument",
          "Wren is not asking where to keep passwords: the current choice works.",
        );
      }
      if (!ask.options.includes(kind)) {
        throw new WrenError(
          "invalid-argument",
          "That way of keeping passwords does not work here.",
        );
      }
      const made = storeFor(kind);
      if ("reason" in made) throw new WrenError("not-available", made.reason);
      await writeChoice(options.file, kind, files, log);
      current = made;
      decided = kind;
      ask = null;
      log.info("credential store chosen", { kind });
      return status();
    },
  };
}

function safeCheck(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform | undefined,
  log: Logger,
): Availability {
  try {
    return checkSafeStorage(safeStorage, platform);
  } catch (error) {
    log.warn("could not check Electron's safe storage", { error: errorName(error) });
    return { available: false, reason: "Electron's safe storage could not be checked." };
  }
}

/** The saved answer, or undefined (no file, or one Wren cannot read: then the default applies). */
async function readChoice(
  file: string,
  files: SecretFiles,
  log: Logger,
): Promise<CredentialStoreKind | undefined> {
  let text: string;
  try {
    text = await files.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      log.warn("could not read the saved credential choice", { file, error: errorName(error) });
    }
    return undefined;
  }
  try {
    const value = JSON.parse(text) as { version?: unknown; kind?: unknown };
    if (value.version === CHOICE_VERSION && KINDS.includes(value.kind as CredentialStoreKind)) {
      return value.kind as CredentialStoreKind;
    }
  } catch {
    // Reported below.
  }
  log.warn("the saved credential choice is not valid; it is ignored", { file });
  return undefined;
}

/** Atomically: a new file (0600, flushed), renamed over the old one. */
async function writeChoice(
  file: string,
  kind: CredentialStoreKind,
  files: SecretFiles,
  log: Logger,
): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await files.mkdir(dirname(file));
    await files.writeNewFile(
      temporary,
      `${JSON.stringify({ version: CHOICE_VERSION, kind }, null, 2)}\n`,
      0o600,
    );
    await files.rename(temporary, file);
  } catch (error) {
    await removeTemporary(files, temporary, log);
    throw new WrenError("internal", `Wren could not save where to keep passwords (${file}).`, {
      cause: error,
    });
  }
}
