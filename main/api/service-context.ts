import type { WrenEvent } from "../../preload/contract";
import type { AccountManager } from "../accounts/account-manager";
import type { XmppSession } from "../core/session-api";
import type { CredentialChoice } from "../credentials/credential-choice";
import type { Logger } from "../shared/log";
import type { OwnPresence } from "./account-view";
import type { CertificatePicks } from "./certificate-picks";
import { errorName, WrenError } from "../shared/errors";

/** What the service's handler groups share. */
export interface ServiceContext {
  accounts: AccountManager;
  credentials: CredentialChoice;
  push(event: WrenEvent): void;
  log: Logger;
  /** The own presence the person last set per account; a new session of the account starts with it. */
  presence: Map<string, OwnPresence>;
  /** Accounts whose password the person asked to save before a credential store was decided. */
  saveWhenDecided: Set<string>;
  /** Client certificates picked for addAccount, by token. */
  certificates: CertificatePicks;
}

export function requireAccount(context: ServiceContext, accountId: string) {
  const account = context.accounts.accounts().find((candidate) => candidate.id === accountId);
  if (!account) throw new WrenError("invalid-argument", "Unknown account.");
  return account;
}

/** The account's session, if it is online; roster and chat commands need one. */
export function requireOnline(context: ServiceContext, accountId: string): XmppSession {
  const account = requireAccount(context, accountId);
  const session = context.accounts.session(accountId);
  let online: boolean;
  try {
    online = session?.state().state === "online";
  } catch (error) {
    context.log.error("a session could not report its state", {
      accountId,
      error: errorName(error),
    });
    online = false;
  }
  if (!session || !online) {
    throw new WrenError("not-signed-in", `${account.jid} is not connected.`);
  }
  return session;
}
