import { serializeClientCertificate } from "../core/auth/client-certificate";
import { WrenError } from "../shared/errors";
import type { AccountChanges, AccountSummary } from "./account-manager-api";
import { historyFor, keepsHistory, withKeepHistory } from "./account-history";
import {
  checkConnectionFields,
  checkKeepHistory,
  checkPassword,
  withFields,
} from "./account-input";
import { DONE } from "./account-registry";
import { takenOffline } from "./account-reports";
import type { AccountsContext } from "./accounts-context";

/** AccountManager.update and setEnabled: what the person changes in an account's settings. */
export function createAccountChanges(context: AccountsContext) {
  const { credentials, accounts, reports, settings: store, secrets, sessions } = context;

  return {
    async update(id: string, changes: AccountChanges): Promise<AccountSummary> {
      const entry = accounts.lookup(id);
      await accounts.operate(entry, async () => {
        const before = entry.settings;
        const fields = checkConnectionFields(changes);
        const keepHistory = checkKeepHistory(changes.keepHistory) ?? keepsHistory(before);
        // The new secret, if any: a password, or a certificate in its stored form.
        const password = changes.clientCertificate
          ? serializeClientCertificate(changes.clientCertificate)
          : changes.password === undefined
            ? undefined
            : checkPassword(changes.password);
        let storage = before.passwordStorage ?? "none";
        if (changes.savePassword !== undefined) {
          storage = changes.savePassword ? credentials.kind : "none";
        }
        const next = withKeepHistory(
          withFields(before, { ...fields, directTls: changes.directTls }),
          keepHistory,
        );
        next.passwordStorage = storage;
        // A new password takes a certificate account back to passwords; a certificate, the reverse.
        if (changes.clientCertificate) next.authentication = "client-certificate";
        else if (password !== undefined) delete next.authentication;

        // The secret first: if the store fails, nothing has changed.
        const secret = password ?? entry.password;
        if (storage !== "none" && (password !== undefined || before.passwordStorage !== storage)) {
          if (secret === null) {
            throw new WrenError("invalid-argument", "Enter the password to save it.");
          }
          await credentials.set(id, secret);
        }
        if (storage === "none" && (before.passwordStorage ?? "none") !== "none") {
          await credentials.delete(id);
        }
        await store.change(entry, () => next);
        // No new session for this: the chat keeps new messages elsewhere from now on.
        if (keepsHistory(before) !== keepHistory) {
          await entry.state.useHistory(historyFor(next, entry.keptHistory));
        }

        const connectionChanged =
          password !== undefined ||
          // Priority travels in presence; signing in again is the simple way to send it anew.
          (["host", "port", "resource", "priority", "directTls"] as const).some(
            (key) => before[key] !== next[key],
          );
        const signIn = next.enabled && !takenOffline(entry);
        if (password !== undefined) {
          entry.password = password;
          entry.problem = null;
        }
        reports.emit("accounts", {
          kind: "updated",
          accountId: id,
          account: reports.summary(entry),
        });
        return connectionChanged ? sessions.renew(entry, signIn) : DONE;
      });
      return reports.summary(entry);
    },

    async setEnabled(id: string, enabled: boolean): Promise<AccountSummary> {
      const entry = accounts.lookup(id);
      await accounts.operate(entry, async () => {
        if (entry.settings.enabled !== enabled) {
          await store.change(entry, (account) => ({ ...account, enabled }));
          reports.emit("accounts", {
            kind: "updated",
            accountId: id,
            account: reports.summary(entry),
          });
        }
        if (!enabled) return sessions.renew(entry, false);
        if (entry.password === null) entry.password = await secrets.readSavedPassword(entry);
        return { wait: sessions.beginSignIn(entry) };
      });
      return reports.summary(entry);
    },
  };
}
