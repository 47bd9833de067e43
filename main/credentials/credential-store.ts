/**
 * Where Wren keeps account passwords. Every implementation lives in main: a secret never reaches the
 * renderer, never reaches a log, and never touches disk in plaintext.
 *
 * - "keychain": the OS keychain through keytar (Secret Service, macOS Keychain, Windows Credential Vault).
 * - "safe-storage": Electron's safeStorage encryption, chosen by the user when there is no keychain.
 * - "none": nothing is saved; the password lives in memory for the running session only.
 *
 * Failures are `WrenError`s whose message can be shown as is.
 */
export type CredentialStoreKind = "keychain" | "safe-storage" | "none";

export interface CredentialStore {
  readonly kind: CredentialStoreKind;
  /** The secret saved for the account, or null when there is none. */
  get(accountId: string): Promise<string | null>;
  /** Saves or replaces the account's secret. */
  set(accountId: string, secret: string): Promise<void>;
  /** Forgets the account's secret; forgetting one that is not there is not an error. */
  delete(accountId: string): Promise<void>;
}

/** Whether a kind of store can be used here, and if not, why — in words a person can read. */
export type Availability = { available: true } | { available: false; reason: string };

/** The name secrets are filed under in the keychain (and the app id electron-builder uses). */
export const CREDENTIAL_SERVICE = "im.wren.Wren";
