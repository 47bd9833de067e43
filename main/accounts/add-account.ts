import { randomBytes } from "node:crypto";
import { serializeClientCertificate } from "../core/auth/client-certificate";
import { requireBareJid } from "../core/jid";
import { asWrenError, errorName, WrenError } from "../shared/errors";
import type { AccountSummary, NewAccount } from "./account-manager-api";
import { withKeepHistory } from "./account-history";
import {
  checkConnectionFields,
  checkFingerprint,
  checkKeepHistory,
  checkPassword,
  withFields,
} from "./account-input";
import type { AccountsContext } from "./accounts-context";
import type { AccountSettings } from "./settings-file";

/** AccountManager.add: signs in first, and keeps the account only when that worked. */
export function createAddAccount(context: AccountsContext) {
  const { log, credentials, accounts, reports, settings: store, secrets, sessions } = context;
  /** JIDs being added right now, so two adds of one address cannot both succeed. */
  const adding = new Set<string>();

  async function signInAndSave(
    settings: AccountSettings,
    secret: string,
    savePassword: boolean,
  ): Promise<AccountSummary> {
    const id = settings.id;
    // Listening from the start: the first sign-in brings the roster, pending requests and offline
    // messages, which are told once the account is added.
    const entry = accounts.create(settings, secret);
    entry.held = [];
    const session = sessions.open(entry, secret);
    try {
      await sessions.startInTurn(session);
    } catch (error) {
      await sessions.stopQuietly(session, id);
      sessions.detach(entry);
      log.info("adding an account failed: signing in did not work", {
        code: asWrenError(error).code,
      });
      throw error;
    }
    try {
      if (context.isDisposed()) throw new WrenError("not-signed-in", "Wren is quitting.");
      if (savePassword) await credentials.set(id, secret);
      // With the mechanism the first sign-in pinned, if any (see session-events).
      await store.persist((saved) => [...saved, entry.settings]);
    } catch (error) {
      if (savePassword) {
        await credentials.delete(id).catch((cleanup: unknown) =>
          log.warn("could not delete the password of an account that was not added", {
            accountId: id,
            error: errorName(cleanup),
          }),
        );
      }
      await sessions.stopQuietly(session, id);
      sessions.detach(entry);
      // The first sign-in may already have kept messages (offline ones) for this account id.
      await context.removeLocalData?.(id).catch((cleanup: unknown) =>
        log.warn("could not delete what an account that was not added kept", {
          accountId: id,
          error: errorName(cleanup),
        }),
      );
      throw error;
    }
    if (entry.fastToken) secrets.rememberFastToken(entry, entry.fastToken);
    accounts.entries.set(id, entry);
    log.info("account added", { accountId: id });
    reports.emit("accounts", { kind: "added", accountId: id, account: reports.summary(entry) });
    const held = entry.held;
    entry.held = null;
    for (const report of held) report();
    return reports.summary(entry);
  }

  return async function add(input: NewAccount): Promise<AccountSummary> {
    try {
      store.requireLoaded();
      const jid = requireBareJid(String(input.jid ?? ""));
      const secret = input.clientCertificate
        ? serializeClientCertificate(input.clientCertificate)
        : checkPassword(input.password);
      const fields = checkConnectionFields(input);
      if (typeof input.directTls !== "boolean" || typeof input.savePassword !== "boolean") {
        throw new WrenError(
          "invalid-argument",
          "Choose how to connect and whether to save the password.",
        );
      }
      const known = [...accounts.entries.values()].some((entry) => entry.settings.jid === jid);
      if (known || adding.has(jid)) {
        throw new WrenError("invalid-argument", `${jid} is already one of your accounts.`);
      }
      const trustedCertificate =
        input.trustedCertificate === undefined
          ? undefined
          : checkFingerprint(input.trustedCertificate);
      const keepHistory = checkKeepHistory(input.keepHistory) ?? true;
      const settings = withKeepHistory(
        withFields(
          {
            id: randomBytes(12).toString("base64url"),
            jid,
            directTls: input.directTls,
            enabled: true,
            passwordStorage: input.savePassword ? credentials.kind : "none",
            ...(trustedCertificate && { trustedCertificate }),
            ...(input.clientCertificate && { authentication: "client-certificate" as const }),
          },
          fields,
        ),
        keepHistory,
      );
      adding.add(jid);
      try {
        return await signInAndSave(settings, secret, input.savePassword);
      } finally {
        adding.delete(jid);
      }
    } catch (error) {
      throw asWrenError(error);
    }
  };
}
