import { randomBytes } from "node:crypto";
import { WrenError } from "../shared/errors";
import { createLogger } from "../shared/log";
import { checkAccountId, checkSecret } from "./account-id";
import { CREDENTIAL_SERVICE, type CredentialStore } from "./credential-store";
import { keychainErrorReason, keychainTimeoutReason, keytarMissingReason } from "./keychain-reason";
import { TimeoutError, withTimeout } from "../shared/timeouts";

const log = createLogger("app/credentials");

/** The part of keytar Wren uses. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export type LoadKeytar = () => Promise<KeytarLike>;

/**
 * keytar is a native addon: loaded on first use, so a missing or broken build becomes "keychain
 * unavailable" with a reason instead of a crash at start-up.
 */
export const loadKeytar: LoadKeytar = async () => {
  const module = (await import("keytar")) as KeytarLike & { default?: KeytarLike };
  return module.default ?? module;
};

export interface KeytarOptions {
  /** Where entries are filed; CREDENTIAL_SERVICE unless a test needs its own. */
  service?: string;
  load?: LoadKeytar;
  /** How long to wait for the keychain; KEYCHAIN_TIMEOUT_MS for the store, PROBE_TIMEOUT_MS for the probe. */
  timeoutMs?: number;
}

/** Long enough for the OS to ask the user to unlock the keychain; a hung D-Bus still ends. */
export const KEYCHAIN_TIMEOUT_MS = 120_000;
/** The probe writes only its own entry, which never needs a prompt: a slow answer means trouble. */
export const PROBE_TIMEOUT_MS = 10_000;
/** The account the probe writes, reads back and deletes. Its value is random, not a secret. */
export const PROBE_ACCOUNT = "wren-keychain-probe";

class KeytarLoadError extends Error {}

function once(load: LoadKeytar): LoadKeytar {
  let loading: Promise<KeytarLike> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      throw new KeytarLoadError(keytarMissingReason(error), { cause: error });
    });
    return loading;
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof TimeoutError) return keychainTimeoutReason(error.timeoutMs);
  if (error instanceof KeytarLoadError) return error.message;
  return keychainErrorReason(error);
}

function detailOf(error: unknown): string {
  const inner = error instanceof KeytarLoadError ? error.cause : error;
  return inner instanceof Error ? inner.message : String(inner);
}

/** Secrets in the OS keychain, keyed by account id under one service name. */
export function createKeytarStore(options: KeytarOptions = {}): CredentialStore {
  const service = options.service ?? CREDENTIAL_SERVICE;
  const timeoutMs = options.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
  const load = once(options.load ?? loadKeytar);

  async function run<T>(
    action: string,
    accountId: string,
    work: (keytar: KeytarLike) => Promise<T>,
  ): Promise<T> {
    try {
      return await withTimeout(
        load().then((keytar) => work(keytar)),
        timeoutMs,
      );
    } catch (error) {
      const reason = reasonFor(error);
      log.warn(`keychain ${action} failed`, { accountId, reason, detail: detailOf(error) });
      throw new WrenError("not-available", `Wren could not reach your system keychain. ${reason}`, {
        cause: error,
      });
    }
  }

  return {
    kind: "keychain",
    async get(accountId) {
      checkAccountId(accountId);
      return run("read", accountId, (keytar) => keytar.getPassword(service, accountId));
    },
    async set(accountId, secret) {
      checkAccountId(accountId);
      checkSecret(secret);
      return run("write", accountId, (keytar) => keytar.setPassword(service, accountId, secret));
    },
    async delete(accountId) {
      checkAccountId(accountId);
      await run("delete", accountId, (keytar) => keytar.deletePassword(service, accountId));
    },
  };
}

/** `reason` is for the user; `detail` is keytar's own words, for the log (never a secret). */
export type KeychainProbe =
  { available: true } | { available: false; reason: string; detail: string };

/**
 * Whether the keychain really works here: writes an entry, reads it back and deletes it. Reading alone
 * is not enough — with D-Bus up but no unlocked keyring, Secret Service lookups succeed (finding
 * nothing) while every write fails.
 */
export async function probeKeychain(options: KeytarOptions = {}): Promise<KeychainProbe> {
  const service = options.service ?? CREDENTIAL_SERVICE;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const load = once(options.load ?? loadKeytar);
  const marker = `probe-${randomBytes(8).toString("hex")}`;

  const roundTrip = async () => {
    const keytar = await load();
    await keytar.setPassword(service, PROBE_ACCOUNT, marker);
    try {
      const readBack = await keytar.getPassword(service, PROBE_ACCOUNT);
      if (readBack !== marker) throw new Error("the keychain did not return what was saved in it");
    } finally {
      await keytar.deletePassword(service, PROBE_ACCOUNT);
    }
  };

  try {
    await withTimeout(roundTrip(), timeoutMs);
    log.info("the keychain works", { service });
    return { available: true };
  } catch (error) {
    const result = { available: false as const, reason: reasonFor(error), detail: detailOf(error) };
    log.warn("the keychain is not available", { service, ...result });
    return result;
  }
}
