import { checkAccountId, checkSecret } from "./account-id";
import type { CredentialStore } from "./credential-store";

/**
 * The "no saved password" choice: the password the user typed is kept in this process only, so a
 * reconnect during the session works without asking again. Nothing is ever written anywhere; quitting
 * Wren forgets it.
 */
export function createMemoryStore(): CredentialStore {
  const secrets = new Map<string, string>();
  return {
    kind: "none",
    async get(accountId) {
      checkAccountId(accountId);
      return secrets.get(accountId) ?? null;
    },
    async set(accountId, secret) {
      checkAccountId(accountId);
      checkSecret(secret);
      secrets.set(accountId, secret);
    },
    async delete(accountId) {
      checkAccountId(accountId);
      secrets.delete(accountId);
    },
  };
}
