import type { AccountData, AccountSummary, Show } from "../../preload/contract";
import type { AccountManager, AccountSummary as ManagedAccount } from "../accounts/account-manager";
import type { XmppSession } from "../core/session-api";

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
    },
  };
}

/**
 * What one account knows. A session is never trusted not to throw: one that does shows as empty
 * rather than breaking the whole snapshot.
 */
export function accountData(
  accounts: AccountManager,
  accountId: string,
  remembered: OwnPresence | undefined,
): AccountData {
  const session = accounts.session(accountId);
  const read = <T>(get: (session: XmppSession) => T, fallback: T): T => {
    if (!session) return fallback;
    try {
      return get(session);
    } catch {
      return fallback;
    }
  };
  return {
    accountId,
    roster: read((s) => s.rosterItems(), []),
    presence: read((s) => s.contactPresences(), []),
    subscriptionRequests: read((s) => s.subscriptionRequests(), []),
    ownPresence: read((s) => s.ownPresence(), remembered ?? DEFAULT_PRESENCE),
  };
}
