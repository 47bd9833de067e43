import type {
  CatchUpProgress,
  ChatMessage,
  ChatState,
  ContactPresence,
  MessageChange,
  RosterItem,
  SessionState,
  Show,
} from "../../preload/contract";
import type { Logger } from "../shared/log";
import type { AccountState } from "./account-state";
import type { BackoffOptions } from "./backoff";
import type { Clock } from "../shared/clock";
import type { ConnectivitySignals } from "./connectivity";
import type { ClientCertificate } from "./auth/client-certificate";
import type { FastToken } from "./auth/fast-token";
import type { CreateClient } from "./connection";
import type { LivenessTimings } from "./liveness";
import type { MechanismPin } from "./sasl/choose-mechanism";

export interface AccountSecurity {
  /** SHA-256 fingerprint of a server certificate the person chose to trust (trust on first use). */
  trustedCertificate?: string;
  /** The strongest SASL mechanism the server has offered; a weaker offer is a downgrade attack. */
  mechanismPin?: MechanismPin;
}

export interface SessionOptions {
  /** Bare JID of the account, e.g. alice@example.org. */
  jid: string;
  /** Required unless the account signs in with `clientCertificate`. */
  password?: string;
  /** A TLS client certificate to sign in with (SASL EXTERNAL, XEP-0178) instead of a password. */
  clientCertificate?: ClientCertificate;
  /** "Connect server" override (like Pidgin's); without it the domain's SRV records decide. */
  host?: string;
  port?: number;
  /** XEP-0368: TLS from the first byte instead of STARTTLS. */
  directTls: boolean;
  resource?: string;
  /** Presence priority (RFC 6121, -128..127) sent with every presence of this session. */
  priority?: number;
  /** A XEP-0484 FAST token saved from an earlier sign-in: tried before the password. */
  fastToken?: FastToken | null;
  /** XEP-0388 user agent id, stable per account on this device; random per session otherwise. */
  userAgentId?: string;
  /** What this account trusts and expects of its server, as remembered by the caller. */
  security?: AccountSecurity;
  /** Timers for reconnecting and liveness checks; tests pass a fake. Default: the real ones. */
  clock?: Clock;
  /** The OS's network-back, wake-up and foreground events. Default: none (backoff alone). */
  signals?: ConnectivitySignals;
  backoff?: Partial<BackoffOptions>;
  liveness?: Partial<LivenessTimings>;
  /** Makes the connection's entity; tests pass a fake to drive a session without a server. */
  createClient?: CreateClient;
  /**
   * The account's roster, presence and conversations, kept across connections. The caller keeps
   * one per account and passes it to every session of it; without it, the session has its own.
   */
  state?: AccountState;
  log?: Logger;
}

export interface RosterChange {
  upserted: RosterItem[];
  removed: string[];
  /** True when this change replaces the whole roster (initial fetch). */
  reset: boolean;
}

/** What the account's state reports, whichever connection brought it. */
export interface AccountStateEvents {
  roster: (change: RosterChange) => void;
  /** Contacts whose derived presence changed. */
  presence: (contacts: ContactPresence[]) => void;
  ownPresence: (presence: { show: Show; status: string }) => void;
  message: (message: ChatMessage) => void;
  /** Delivery states and corrections of messages told before. */
  messageChanges: (changes: MessageChange[]) => void;
  chatState: (peer: string, state: ChatState) => void;
  /** The person read the conversation on another of their devices (or here). */
  conversationRead: (peer: string) => void;
  catchUp: (progress: CatchUpProgress) => void;
  subscriptionRequest: (jid: string) => void;
  subscriptionRequestResolved: (jid: string) => void;
}

/** What one connection reports. */
export interface ConnectionEvents {
  state: (state: SessionState) => void;
  /**
   * Back online after the connection was lost. `resumed`: the server kept the session (XEP-0198),
   * so nothing was missed and roster and presence stay as they were; otherwise it is a new session.
   */
  reconnected: (info: { resumed: boolean }) => void;
  /** A new FAST token to keep with the credentials (null: forget the old one, it is dead). */
  fastToken: (token: FastToken | null) => void;
  /** The server offered a stronger mechanism than pinned so far: remember the new pin. */
  mechanismPinned: (pin: MechanismPin) => void;
}

export type SessionEvents = AccountStateEvents & ConnectionEvents;

/**
 * One account's connection and everything it knows. Pure Node: no Electron. Every failure a user can
 * meet rejects with a WrenError carrying a readable message; nothing here throws asynchronously.
 */
export interface XmppSession {
  readonly jid: string;
  /**
   * Connects, authenticates, fetches the roster and sends initial presence. Rejects on failure,
   * without retrying. Once it succeeded, a lost connection turns the state to "connecting" (with
   * the reason) and is brought back automatically, until stop() or a failure that needs the person.
   */
  start(): Promise<void>;
  /** Goes offline: closes the connection and stops reconnecting. */
  stop(): Promise<void>;
  /** "Reconnect now": while reconnecting, tries at once; while online, checks the link at once. */
  reconnectNow(): void;
  state(): SessionState;
  rosterItems(): RosterItem[];
  contactPresences(): ContactPresence[];
  subscriptionRequests(): string[];
  ownPresence(): { show: Show; status: string };
  setPresence(show: Show, status: string): Promise<void>;
  addContact(jid: string, name?: string): Promise<void>;
  approveSubscription(jid: string): Promise<void>;
  denySubscription(jid: string): Promise<void>;
  /** Sends now when online; otherwise keeps it "queued" and sends it once the account connects. */
  sendMessage(to: string, body: string): Promise<ChatMessage>;
  /** Newest-last page of the conversation (see HistoryQuery). */
  history(peer: string, query: HistoryQuery, limit: number): Promise<ChatMessage[]>;
  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void;
}

/** Which page of a conversation: the newest, or before / after / around a message (by id). */
export interface HistoryQuery {
  before?: string;
  after?: string;
  around?: string;
}

export type CreateSession = (options: SessionOptions) => XmppSession;
