// Plain data that crosses the process boundary. No XML, no secrets, no class instances:
// everything here must survive structured cloning and JSON.

export type Show = "chat" | "online" | "away" | "xa" | "dnd";

export type Subscription = "none" | "to" | "from" | "both" | "remove";

export interface RosterItem {
  jid: string;
  name: string;
  groups: string[];
  subscription: Subscription;
  /** We asked to see their presence and they have not answered yet. */
  pendingOut: boolean;
}

export interface ResourcePresence {
  resource: string;
  show: Show;
  status: string;
  priority: number;
}

export interface ContactPresence {
  jid: string;
  /** The resource a message should go to, or null when every resource is offline. */
  best: ResourcePresence | null;
  resourceCount: number;
}

export interface ChatMessage {
  id: string;
  /** Bare JID of the other party. */
  peer: string;
  direction: "in" | "out";
  body: string;
  /** Milliseconds since the epoch; the sender's stamp when the server delayed the message. */
  timestamp: number;
  delayed: boolean;
}

export type ConnectionState = "offline" | "connecting" | "online" | "error";

export interface SessionState {
  state: ConnectionState;
  /** Bare JID of the signed-in (or signing-in) account. */
  jid: string | null;
  error: UserError | null;
}

export type ErrorCode =
  | "invalid-argument"
  | "not-signed-in"
  | "already-signed-in"
  | "auth-failed"
  | "host-not-found"
  | "connection-refused"
  | "tls-required"
  | "certificate-invalid"
  | "stream-closed"
  | "timeout"
  | "not-available"
  | "internal";

/** An error a person can read. `message` is written for the UI, never a stack trace. */
export interface UserError {
  code: ErrorCode;
  message: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: UserError };

export interface Snapshot {
  session: SessionState;
  roster: RosterItem[];
  presence: ContactPresence[];
  /** Incoming subscription requests waiting for an answer (bare JIDs). */
  subscriptionRequests: string[];
  ownPresence: { show: Show; status: string };
}
