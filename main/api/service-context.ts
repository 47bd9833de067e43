import type { CatchUpProgress, WrenEvent } from "../../preload/contract";
import type { AccountManager } from "../accounts/account-manager";
import type { AccountState } from "../core/account-state";
import type { XmppSession } from "../core/session-api";
import type { CredentialChoice } from "../credentials/credential-choice";
import type { Logger } from "../shared/log";
import type { OwnPresence } from "./account-view";
import type { CertificatePicks } from "./certificate-picks";
import type { SearchQuery, StoredMessage } from "../store/message-store";
import { errorName, WrenError } from "../shared/errors";

/** The database's full-text search (see MessageStore.search): newest first. */
export type MessageSearch = (query: SearchQuery) => Promise<StoredMessage[]>;

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
  /** Full-text search over the messages kept on this computer; null when there is no database. */
  search: MessageSearch | null;
  /**
   * Each account's catch-up while it runs, or how the last one failed: for a page that starts
   * meanwhile (the snapshot), as the events only tell changes.
   */
  catchUp: Map<string, CatchUpProgress>;
}

export function requireAccount(context: ServiceContext, accountId: string) {
  const account = context.accounts.accounts().find((candidate) => candidate.id === accountId);
  if (!account) throw new WrenError("invalid-argument", "Unknown account.");
  return account;
}

/**
 * What the account knows (conversations included), signed in or not: chat commands work offline,
 * and messages written then wait in the outbox.
 */
export function requireState(context: ServiceContext, accountId: string): AccountState {
  requireAccount(context, accountId);
  const state = context.accounts.state(accountId);
  if (!state) throw new WrenError("invalid-argument", "Unknown account.");
  return state;
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
