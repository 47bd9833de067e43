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

/**
 * How far a message got. Outgoing: queued (written, not yet sent: offline) → sent → acked (the
 * server has it, XEP-0198) → delivered (the peer's device has it, XEP-0184) → displayed (the peer
 * read it, XEP-0333). Incoming messages are "received".
 */
export type DeliveryState = "queued" | "sent" | "acked" | "delivered" | "displayed" | "received";

/** A file a message carries: an XEP-0066 out-of-band URL, or a body that is one https URL. */
export interface Attachment {
  /** Where the file is (https). */
  url: string;
  /** Its name as shown: made safe, never a path. */
  name: string;
  /** In bytes, when known. */
  size: number | null;
  /** Its media type, when known. */
  mediaType: string | null;
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
  state: DeliveryState;
  /** When its sender last corrected it (XEP-0308); absent when never corrected. */
  editedAt?: number;
  /**
   * Came from the server's archive (XEP-0313: catch-up or older history), not live: it is
   * counted as unread when new, but never notified.
   */
  archived?: boolean;
  /** The file it carries; its body is then the file's URL. */
  attachment?: Attachment;
}

/**
 * A file the person chose to send, kept by main under `token` until it is sent or discarded. The
 * page never learns where it is on disk.
 */
export interface StagedFile {
  token: string;
  /** Its name (the last path component only). */
  name: string;
  size: number;
  mediaType: string | null;
}

export type TransferState = "running" | "done" | "failed" | "cancelled";

/** An upload (a file sent) or a download (a file received, saved), as main runs it. */
export interface Transfer {
  id: string;
  accountId: string;
  /** Bare JID of the other party. */
  peer: string;
  direction: "upload" | "download";
  /** The file's name as shown: made safe, never a path. */
  name: string;
  /** In bytes, when known. */
  size: number | null;
  /** Bytes moved so far. */
  transferred: number;
  /** Bytes per second over the last seconds; null until it is known. */
  rate: number | null;
  state: TransferState;
  /** Why it failed, readable; null unless failed. */
  error: string | null;
  /** Upload: the message that carried the file, once sent. Download: the message whose file it is. */
  messageId: string | null;
  /** Download, once done: the name it was saved under in the downloads folder. */
  savedName: string | null;
  /** A failed or cancelled upload can be tried again (main still has the file). */
  canRetry: boolean;
}

/** What the file's server tells about a file before it is downloaded (HTTP HEAD). */
export interface FileInfo {
  size: number | null;
  mediaType: string | null;
}

/** A small image's bytes, for the page to decode and draw: it fetches nothing itself. */
export interface FilePreview {
  /** A raster image type sniffed from the bytes: image/png, image/jpeg, image/gif, image/webp. */
  mediaType: string;
  /** The image, base64. */
  data: string;
}

/** A later change to a message already shown: its delivery state, or its text (a correction). */
export interface MessageChange {
  id: string;
  peer: string;
  state?: DeliveryState;
  body?: string;
  editedAt?: number;
}

/** XEP-0085: what the other party is doing in the conversation. */
export type ChatState = "active" | "composing" | "paused" | "inactive" | "gone";

/** One conversation in the list of all conversations, across accounts. */
export interface ConversationSummary {
  accountId: string;
  /** Bare JID of the other party. */
  peer: string;
  /** Its newest message: the preview, and the time the list is ordered by. */
  last: ChatMessage;
  /** Incoming messages not read yet (kept across restarts), counted up to UNREAD_COUNTED. */
  unread: number;
}

export interface SearchHit {
  accountId: string;
  message: ChatMessage;
}

/** An account fetching what it missed from the server's archive (XEP-0313) after signing in. */
export interface CatchUpProgress {
  running: boolean;
  /** Messages fetched so far in this catch-up. */
  fetched: number;
  /** Why it stopped early, readable; it is tried again on the next sign-in. */
  error?: string;
}

export type ConnectionState = "offline" | "connecting" | "online" | "error";

export interface SessionState {
  state: ConnectionState;
  /** Bare JID of the signed-in (or signing-in) account. */
  jid: string | null;
  error: UserError | null;
  /** While online: how the connection is protected. */
  security?: ConnectionSecurity | null;
}

/** How a live connection is protected, for the account's details. */
export interface ConnectionSecurity {
  /** "TLSv1.3", "TLSv1.2". */
  tls: string;
  /** The SASL mechanism used, e.g. "SCRAM-SHA-256-PLUS". */
  mechanism: string;
  /** The channel binding type when the mechanism is a -PLUS one. */
  channelBinding: string | null;
  /** The certificate is accepted because the person chose to trust it, not by an authority. */
  trustedByYou: boolean;
  /** Set when this connection is weaker than it should be; shown prominently. */
  warning: string | null;
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
  | "certificate-untrusted"
  | "certificate-changed"
  | "auth-downgrade"
  | "auth-server-unverified"
  | "stream-closed"
  | "timeout"
  | "not-available"
  | "file-too-large"
  | "upload-failed"
  | "cancelled"
  | "internal";

/** An error a person can read. `message` is written for the UI, never a stack trace. */
export interface UserError {
  code: ErrorCode;
  message: string;
  /** With certificate-untrusted and certificate-changed: the certificate the server showed. */
  certificate?: CertificateInfo;
}

/** A server certificate as a person checks it: never trusted because of what is shown here. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** ISO 8601; empty when the certificate has no readable date. */
  validFrom: string;
  validTo: string;
  /** SHA-256 of the certificate, as colon-separated upper-case hex. */
  fingerprint: string;
  /** The DNS names and addresses it is issued for. */
  names: string[];
  /** Why Wren did not accept it, in a sentence. */
  problem: string;
}

/**
 * Where choosing a client certificate stands. The file stays in main; `token` names it for the next
 * pickClientCertificate call and for addAccount, for a few minutes.
 */
export type ClientCertificatePick =
  | {
      status: "ready";
      token: string;
      fileName: string;
      /** The certificate's subject, e.g. "CN=alice@example.org, O=Example"; null if unreadable. */
      subject: string | null;
      /** ISO 8601; null if unreadable. */
      validTo: string | null;
    }
  | {
      /** A PKCS#12 file locked with a passphrase: ask for it and call again with the token. */
      status: "needs-passphrase";
      token: string;
      fileName: string;
      /** Why the last passphrase did not work; null the first time. */
      problem: string | null;
    }
  | {
      /** A PEM certificate without its private key: call again with the token to choose the key. */
      status: "needs-key";
      token: string;
      fileName: string;
      subject: string | null;
      /** Why the last key file did not work; null the first time. */
      problem: string | null;
    }
  /** The person closed the dialog without choosing a file. */
  | { status: "cancelled" };

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: UserError };

export type CredentialStoreKind = "keychain" | "safe-storage" | "none";

/** Where saved passwords go, and whether the person must choose because the usual place failed. */
export interface CredentialStatus {
  /** The store in use; null until the person has chosen (see `ask`). */
  kind: CredentialStoreKind | null;
  /** Set when no working store was chosen yet: why, and what the person may pick. */
  ask: { reason: string; options: CredentialStoreKind[] } | null;
}

/** Settings of an account the person can edit: never a secret. */
export interface AccountSettings {
  host?: string;
  port?: number;
  directTls: boolean;
  resource?: string;
  priority?: number;
  /** Its messages are kept on this computer; when false, only until Wren quits. */
  keepHistory: boolean;
}

export interface AccountSummary {
  /** Stable random id: commands and events name accounts by it, not by JID. */
  id: string;
  jid: string;
  enabled: boolean;
  state: SessionState;
  /** Wren has no password for this account: the UI should ask for one. */
  needsPassword: boolean;
  /** Fingerprint of a server certificate the person chose to trust for this account, if any. */
  trustedCertificate: string | null;
  /** How the account signs in: a password, or a TLS client certificate (SASL EXTERNAL). */
  authentication: "password" | "client-certificate";
  settings: AccountSettings;
}

/** What one account knows, for a renderer that (re)starts. */
export interface AccountData {
  accountId: string;
  roster: RosterItem[];
  presence: ContactPresence[];
  /** Incoming subscription requests waiting for an answer (bare JIDs). */
  subscriptionRequests: string[];
  ownPresence: { show: Show; status: string };
  /** While the account catches up with its server's archive, or when its last catch-up failed. */
  catchUp?: CatchUpProgress;
}

export interface Snapshot {
  accounts: AccountSummary[];
  data: AccountData[];
  credentials: CredentialStatus;
  /** The accounts file could not be used (damaged and kept aside, or from a newer Wren). */
  settingsProblem: string | null;
  /** Uploads and downloads of this run that the person has not dismissed. */
  transfers: Transfer[];
}

export type FormFieldType =
  | "boolean"
  | "fixed"
  | "hidden"
  | "jid-multi"
  | "jid-single"
  | "list-multi"
  | "list-single"
  | "text-multi"
  | "text-private"
  | "text-single";

/** A field of a server's registration form (XEP-0077 / XEP-0004), as plain text. */
export interface FormField {
  /** The field's name; empty only for a `fixed` field, which is text to show. */
  var: string;
  type: FormFieldType;
  label: string;
  description: string;
  required: boolean;
  options: { label: string; value: string }[];
  values: string[];
}

export interface RegistrationForm {
  kind: "legacy" | "data-form";
  title: string;
  instructions: string;
  fields: FormField[];
  /** A web page where the server wants accounts created instead, http(s) only. */
  url: string | null;
}
