import type { FastToken } from "../core/auth/fast-token";
import type { CredentialStore } from "../credentials/credential-store";
import { asWrenError, errorName } from "../shared/errors";
import type { Logger } from "../shared/log";
import type { Entry } from "./account-registry";

export type AccountSecrets = ReturnType<typeof createAccountSecrets>;

/** An account's password (or client certificate) and FAST token in the credential store. */
export function createAccountSecrets(deps: { credentials: CredentialStore; log: Logger }) {
  const { credentials, log } = deps;

  return {
    /** The saved password, or null; a store that fails leaves the reason in `problem`. */
    async readSavedPassword(entry: Entry): Promise<string | null> {
      if (entry.settings.passwordStorage === "none") return null;
      let secret: string | null;
      try {
        secret = await credentials.get(entry.settings.id);
      } catch (error) {
        entry.problem = asWrenError(error).toUserError();
        log.warn("could not read a saved password", { accountId: entry.settings.id });
        return null;
      }
      // Only a shortcut: without it the password signs in and a new token is asked for.
      if (secret !== null && !entry.fastToken) {
        entry.fastToken = await credentials
          .get(fastTokenKey(entry.settings.id))
          .then(parseFastToken, () => null);
      }
      return secret;
    },

    /** Keeps a FAST token with the password (or forgets a dead one); never in accounts.json. */
    rememberFastToken(entry: Entry, token: FastToken | null): void {
      entry.fastToken = token;
      if ((entry.settings.passwordStorage ?? "none") === "none") return;
      const key = fastTokenKey(entry.settings.id);
      const saved = token ? credentials.set(key, JSON.stringify(token)) : credentials.delete(key);
      saved.catch((error: unknown) =>
        log.warn("could not keep the FAST token", {
          accountId: entry.settings.id,
          error: errorName(error),
        }),
      );
    },

    /** Deletes the account's password and FAST token; rejects if the store cannot. */
    async forget(accountId: string): Promise<void> {
      await credentials.delete(accountId);
      await credentials.delete(fastTokenKey(accountId));
    },
  };
}

/** The FAST token is filed next to the account's password, under its own name. */
function fastTokenKey(accountId: string): string {
  return `${accountId}.fast`;
}

function parseFastToken(secret: string | null): FastToken | null {
  if (!secret) return null;
  try {
    const value = JSON.parse(secret) as Partial<FastToken>;
    if (
      typeof value.mechanism === "string" &&
      typeof value.token === "string" &&
      typeof value.expiry === "string"
    ) {
      return { mechanism: value.mechanism, token: value.token, expiry: value.expiry };
    }
  } catch {
    // a damaged entry: sign in with the password and get a new token
  }
  return null;
}
