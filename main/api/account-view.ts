import type { AccountData, AccountSummary, Show } from "../../preload/contract";
import { keepsHistory } from "../accounts/account-history";
import type { AccountManager, AccountSummary as ManagedAccount } from "../accounts/account-manager";
import type { XmppSession } from "../core/session-api";
import { errorName } from "../shared/errors";
import type { Logger } from "../shared/log";

// How the manager's accounts look to the renderer: only what the contract names, never more
// (the manager's settings also carry storage details the UI has no use for).

export type OwnPresence = { show: Show; status: string };

export const DEFAULT_PRESENCE: OwnPresence = { show: "online", status: "" };

export function toSummary(account: ManagedAccount): AccountSummary {
  const { host, port, directTls, resource, priority } = account.settings;
  return {
    id: account.id,
    jid: account.jid,
    enabled: account.enabled,
    state: { ...account.state },
    needsPassword: account.needsPassword,
    trustedCertificate: account.settings.trustedCertificate ?? null,
    authentication: account.settings.authentication ?? "password",
    settings: {
      ...(host !== undefined && { host }),
      ...(port !== undefined && { port }),
      directTls,
      ...(resource !== undefined && { resource }),
      ...(priority !== undefined && { priority }),
      keepHistory: keepsHistory(account.settings),
    },
  };
}

/**
 * What one account knows. A session is never trusted not to throw: one that does shows as empty
 * rather than breaking the whole snapshot, and the log says what failed.
 */
export function accountData(
  accounts: AccountManager,
  accountId: string,
  remembered: OwnPresence | undefined,
  log: Logger,
): AccountData {
  const session = accounts.session(accountId);
  const read = <T>(part: string, get: (session: XmppSession) => T, fallback: T): T => {
    if (!session) return fallback;
    try {
      return get(session);
    } catch (error) {
      log.error("a session could not report its state", {
        accountId,
        part,
        error: errorName(error),
      });
      return fallback;
    }
  };
  return {
    accountId,
    roster: read("roster", (s) => s.rosterItems(), []),
    presence: read("presence", (s) => s.contactPresences(), []),
    subscriptionRequests: read("requests", (s) => s.subscriptionRequests(), []),
    ownPresence: read("own presence", (s) => s.ownPresence(), remembered ?? DEFAULT_PRESENCE),
  };
}
