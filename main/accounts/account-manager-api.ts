import type {
  CatchUpProgress,
  ChatState,
  MessageChange,
  SessionState,
} from "../../preload/contract";
import type { AccountState } from "../core/account-state";
import type { ClientCertificate } from "../core/auth/client-certificate";
import type { LoadProblem } from "./settings-file";
import type { AccountSettings } from "./settings-file";
import type { RosterChange, SessionEvents, XmppSession } from "../core/session-api";

/** What a new account needs. The password is only used to sign in and, if asked, saved. */
export interface NewAccount {
  jid: string;
  /** Required unless `clientCertificate` is given. */
  password?: string;
  /** Sign in with this TLS client certificate (SASL EXTERNAL) instead; kept like a password. */
  clientCertificate?: ClientCertificate;
  host?: string;
  port?: number;
  directTls: boolean;
  resource?: string;
  priority?: number;
  /** Keep the password in the credential store; otherwise only in memory until Wren quits. */
  savePassword: boolean;
  /** SHA-256 fingerprint of the server certificate the person chose to trust while adding. */
  trustedCertificate?: string;
  /** Keep its messages on this computer (the default); otherwise only until Wren quits. */
  keepHistory?: boolean;
}

/**
 * Changes to an account. `undefined` leaves a field alone; `null` clears an optional one (host,
 * port, resource, priority). A new password is saved where the old one was, unless
 * `savePassword` says otherwise.
 */
export interface AccountChanges {
  password?: string;
  /** Sign in with this client certificate from now on; kept where a password would be. */
  clientCertificate?: ClientCertificate;
  savePassword?: boolean;
  resource?: string | null;
  priority?: number | null;
  host?: string | null;
  port?: number | null;
  directTls?: boolean;
  /** Switches where new messages are kept, without signing in again; stored ones stay. */
  keepHistory?: boolean;
}

/** An account as the UI sees it: never a password. */
export interface AccountSummary {
  id: string;
  jid: string;
  enabled: boolean;
  state: SessionState;
  /** True when Wren has no password for the account: the UI should ask for one. */
  needsPassword: boolean;
  settings: AccountSettings;
}

export type AccountsChange =
  | { kind: "added" | "updated" | "state"; accountId: string; account: AccountSummary }
  | { kind: "removed"; accountId: string; account: null };

/** Each session's events, tagged with the account they belong to, plus changes to the list. */
export interface AccountManagerEvents {
  state: (event: { accountId: string; state: SessionState }) => void;
  roster: (event: { accountId: string } & RosterChange) => void;
  presence: (event: {
    accountId: string;
    contacts: Parameters<SessionEvents["presence"]>[0];
  }) => void;
  ownPresence: (event: { accountId: string } & Parameters<SessionEvents["ownPresence"]>[0]) => void;
  message: (event: { accountId: string; message: Parameters<SessionEvents["message"]>[0] }) => void;
  messageChanges: (event: { accountId: string; changes: MessageChange[] }) => void;
  chatState: (event: { accountId: string; peer: string; state: ChatState }) => void;
  conversationRead: (event: { accountId: string; peer: string }) => void;
  catchUp: (event: { accountId: string; progress: CatchUpProgress }) => void;
  subscriptionRequest: (event: { accountId: string; jid: string }) => void;
  subscriptionRequestResolved: (event: { accountId: string; jid: string }) => void;
  reconnected: (event: { accountId: string; resumed: boolean }) => void;
  accounts: (change: AccountsChange) => void;
}

export interface LoadReport {
  /** The accounts file could not be used (damaged and kept aside, or from a newer Wren). */
  problem?: LoadProblem;
  /** Enabled accounts that cannot sign in until the person enters a password. */
  needPassword: string[];
}

/**
 * Every account of this Wren and its session. Failures of one account (a wrong password, a dead
 * or hostile server, a session that throws) stay with that account: they show in its state and
 * never reach the others. Methods reject only with a WrenError about the request itself.
 */
export interface AccountManager {
  /**
   * Reads the accounts file and signs in every enabled account whose password is known. Resolves
   * once the file and passwords are read; signing in goes on in the background (see events).
   */
  load(): Promise<LoadReport>;
  /** Signs in first; saves the account (and, if asked, its password) only when that worked. */
  add(account: NewAccount): Promise<AccountSummary>;
  update(id: string, changes: AccountChanges): Promise<AccountSummary>;
  /** Persisted. Enabling signs in; resolves when that attempt ended (its outcome is in `state`). */
  setEnabled(id: string, enabled: boolean): Promise<AccountSummary>;
  /**
   * Trusts the server certificate the account's last sign-in was refused for (it must be the one
   * its error shows), remembers it and signs in again. Also how a changed certificate is re-trusted.
   */
  trustCertificate(id: string, fingerprint: string): Promise<AccountSummary>;
  /** Stops trusting the account's pinned server certificate, and signs in again without it. */
  forgetTrustedCertificate(id: string): Promise<AccountSummary>;
  /**
   * Forgets the account's mechanism pin after its last sign-in was refused as a downgrade, and
   * signs in again: for a server that really dropped its stronger sign-in method. The person
   * decides; the next sign-in pins what the server offers now.
   */
  acceptWeakerSignIn(id: string): Promise<AccountSummary>;
  /** Stops the session, deletes the saved password and forgets the account. */
  remove(id: string): Promise<void>;
  /** One account, or every enabled one: signs in again, or checks a live link at once. */
  reconnect(id?: string): Promise<void>;
  /** One account, or all: offline until reconnect(); not persisted (that is setEnabled). */
  goOffline(id?: string): Promise<void>;
  accounts(): AccountSummary[];
  /** The account's session for roster and chat commands; null while it has none (disabled, no password). */
  session(id: string): XmppSession | null;
  /**
   * What the account knows (roster, presence, conversations), kept across its sessions: there as
   * long as the account is, signed in or not.
   */
  state(id: string): AccountState | null;
  on<E extends keyof AccountManagerEvents>(event: E, listener: AccountManagerEvents[E]): () => void;
  /** Stops every session and delivers no more events (quitting). Nothing is changed on disk. */
  dispose(): Promise<void>;
}
