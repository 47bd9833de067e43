import { sameFingerprint } from "../core/transport/certificate";
import { WrenError } from "../shared/errors";
import type { AccountSummary } from "./account-manager-api";
import { checkFingerprint } from "./account-input";
import { DONE } from "./account-registry";
import { takenOffline } from "./account-reports";
import type { AccountsContext } from "./accounts-context";

/**
 * What the person decides when a sign-in was refused for its security: trust the server's
 * certificate, stop trusting it, or accept a weaker sign-in than the one pinned.
 */
export function createSecurityDecisions(context: AccountsContext) {
  const { log, accounts, reports, settings: store, sessions } = context;

  return {
    async trustCertificate(id: string, fingerprint: string): Promise<AccountSummary> {
      const entry = accounts.lookup(id);
      await accounts.operate(entry, async () => {
        const shown = reports.stateOf(entry).error?.certificate?.fingerprint;
        if (!shown || !sameFingerprint(shown, checkFingerprint(fingerprint))) {
          throw new WrenError(
            "invalid-argument",
            "That is not the certificate the server showed last. Reconnect to see the current one.",
          );
        }
        await store.change(entry, (account) => ({ ...account, trustedCertificate: shown }));
        log.info("certificate trusted by the person", { accountId: id });
        reports.emit("accounts", {
          kind: "updated",
          accountId: id,
          account: reports.summary(entry),
        });
        return sessions.renew(entry, entry.settings.enabled);
      });
      return reports.summary(entry);
    },

    async forgetTrustedCertificate(id: string): Promise<AccountSummary> {
      const entry = accounts.lookup(id);
      await accounts.operate(entry, async () => {
        if (!entry.settings.trustedCertificate) return DONE;
        await store.change(entry, ({ trustedCertificate: _forgotten, ...rest }) => rest);
        log.info("trusted certificate forgotten", { accountId: id });
        reports.emit("accounts", {
          kind: "updated",
          accountId: id,
          account: reports.summary(entry),
        });
        return sessions.renew(entry, entry.settings.enabled && !takenOffline(entry));
      });
      return reports.summary(entry);
    },

    async acceptWeakerSignIn(id: string): Promise<AccountSummary> {
      const entry = accounts.lookup(id);
      await accounts.operate(entry, async () => {
        if (reports.stateOf(entry).error?.code !== "auth-downgrade") {
          throw new WrenError(
            "invalid-argument",
            "The last sign-in of this account was not refused as a downgrade.",
          );
        }
        await store.change(entry, ({ mechanismPin: _forgotten, ...rest }) => rest);
        log.info("weaker sign-in accepted by the person", { accountId: id });
        return sessions.renew(entry, entry.settings.enabled);
      });
      return reports.summary(entry);
    },
  };
}
