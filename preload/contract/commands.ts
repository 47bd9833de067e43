import { z } from "zod";
import type {
  AccountSummary,
  ChatMessage,
  ClientCertificatePick,
  ConversationSummary,
  FileInfo,
  FilePreview,
  SearchHit,
  RegistrationForm,
  Snapshot,
  StagedFile,
  Transfer,
} from "./types";
import { FILE_CHUNK_BYTES } from "./limits";

// Argument schemas are checked by main on arrival; result types are main's promise to the renderer.
// A command is declared once here; main, preload and renderer all derive from this table.

const MAX_JID_LENGTH = 3071; // RFC 7622: three parts of at most 1023 octets plus separators

const bareJid = z
  .string()
  .trim()
  .min(3)
  .max(MAX_JID_LENGTH)
  .regex(/^[^@/\s]+@[^@/\s]+$/, "Enter an address like name@example.org");

const domainJidOrBare = z
  .string()
  .trim()
  .min(1)
  .max(MAX_JID_LENGTH)
  .regex(/^([^@/\s]+@)?[^@/\s]+$/, "Enter an address like name@example.org");

const show = z.enum(["chat", "online", "away", "xa", "dnd"]);

function command<R>() {
  return <A extends z.ZodType>(args: A) => ({ args, result: undefined as unknown as R });
}

const accountId = z.string().min(1).max(64);
/** Wren's own message id (see ChatMessage.id). */
const messageId = z.string().min(1).max(128);
/** Names a file main keeps for the page (see beginFile). */
const fileToken = z.string().min(1).max(64);
const transferId = z.string().min(1).max(64);
const password = z.string().min(1, "Enter your password").max(1024);
const host = z.string().trim().max(253);
const port = z.number().int().min(1).max(65535);
const resource = z.string().trim().min(1).max(1023);
const priority = z.number().int().min(-128).max(127);
const fingerprint = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, "Not a SHA-256 fingerprint");
/** Names a client certificate main holds for the renderer (see pickClientCertificate). */
const certificateToken = z.string().min(1).max(64);
const credentialStoreKind = z.enum(["keychain", "safe-storage", "none"]);
const formValue = z.union([z.string().max(4096), z.array(z.string().max(4096)).max(100)]);

export const commands = {
  snapshot: command<Snapshot>()(z.object({}).strict()),

  /**
   * Signs in first; the account is saved only once that worked. With a password, or with a client
   * certificate picked before (pickClientCertificate): exactly one of them. The certificate's token
   * is used up once the account is added; after a failed attempt it may be used again.
   */
  addAccount: command<AccountSummary>()(
    z
      .object({
        jid: bareJid,
        password: password.optional(),
        clientCertificate: z.object({ token: certificateToken }).strict().optional(),
        host: host.optional(),
        port: port.optional(),
        directTls: z.boolean(),
        resource: resource.optional(),
        priority: priority.optional(),
        /** Keep the password (or the certificate) in the credential store. */
        savePassword: z.boolean(),
        /** The server's certificate, as shown by a certificate-untrusted error, trusted by the person. */
        trustedCertificate: fingerprint.optional(),
        /** Keep its messages on this computer (the default); otherwise only until Wren quits. */
        keepHistory: z.boolean().optional(),
      })
      .strict()
      .superRefine((args, context) => {
        if (args.clientCertificate && args.password !== undefined) {
          context.addIssue({
            code: "custom",
            path: ["password"],
            message: "Sign in with a password or a certificate, not both.",
          });
        } else if (!args.clientCertificate && args.password === undefined) {
          context.addIssue({ code: "custom", path: ["password"], message: "Enter your password" });
        }
      }),
  ),
  /** `null` clears an optional setting; an absent key leaves it alone. */
  updateAccount: command<AccountSummary>()(
    z
      .object({
        accountId,
        password: password.optional(),
        /** Sign in with this picked certificate from now on (see pickClientCertificate). */
        clientCertificate: z.object({ token: certificateToken }).strict().optional(),
        savePassword: z.boolean().optional(),
        host: host.nullable().optional(),
        port: port.nullable().optional(),
        directTls: z.boolean().optional(),
        resource: resource.nullable().optional(),
        priority: priority.nullable().optional(),
        /** Where new messages go from now on; what is already kept stays (deleteHistory removes it). */
        keepHistory: z.boolean().optional(),
      })
      .strict()
      .refine((args) => !(args.clientCertificate && args.password !== undefined), {
        message: "Sign in with a password or a certificate, not both",
      }),
  ),
  setAccountEnabled: command<AccountSummary>()(
    z.object({ accountId, enabled: z.boolean() }).strict(),
  ),
  /** Trusts the certificate the account's last sign-in was refused for, and signs in again. */
  trustCertificate: command<AccountSummary>()(z.object({ accountId, fingerprint }).strict()),
  /** Stops trusting the certificate the person trusted for the account; signs in again. */
  forgetTrustedCertificate: command<AccountSummary>()(z.object({ accountId }).strict()),
  /** After a refused downgrade: forgets the account's mechanism pin and signs in again. */
  acceptWeakerSignIn: command<AccountSummary>()(z.object({ accountId }).strict()),
  /** Also deletes the account's saved password and local data. */
  removeAccount: command<void>()(z.object({ accountId }).strict()),
  /** One account, or all when accountId is absent. */
  reconnect: command<void>()(z.object({ accountId: accountId.optional() }).strict()),
  goOffline: command<void>()(z.object({ accountId: accountId.optional() }).strict()),
  /** The person's answer when no credential store works as expected. */
  chooseCredentialStore: command<void>()(z.object({ kind: credentialStoreKind }).strict()),

  /** In-band registration (XEP-0077): fetch the server's form over TLS, fill it, submit. */
  fetchRegistrationForm: command<{ formId: string; form: RegistrationForm }>()(
    z
      .object({
        domain: z
          .string()
          .trim()
          .min(1)
          .max(1023)
          .regex(/^[^@/\s]+$/, "Enter a server name like example.org"),
        host: host.optional(),
        port: port.optional(),
        directTls: z.boolean(),
        /** The server's certificate, shown by a certificate-untrusted error, trusted by the person. */
        trustedCertificate: fingerprint.optional(),
      })
      .strict(),
  ),
  /** Registers, then adds the new account (signed in) like addAccount. */
  submitRegistration: command<AccountSummary>()(
    z
      .object({
        formId: z.string().min(1).max(64),
        values: z.record(z.string().max(256), formValue),
        savePassword: z.boolean(),
      })
      .strict(),
  ),
  cancelRegistration: command<void>()(z.object({ formId: z.string().min(1).max(64) }).strict()),

  /**
   * Main shows the system's open-file dialog for a client certificate (PEM with its key, or
   * PKCS#12), reads and checks it, and keeps it under a short-lived token for addAccount: the file
   * never reaches the renderer. With the token of an earlier answer it goes on from there instead:
   * `needs-passphrase` tries `passphrase` (no dialog), `needs-key` shows the dialog for the key.
   */
  pickClientCertificate: command<ClientCertificatePick>()(
    z
      .object({
        token: certificateToken.optional(),
        /** For a PKCS#12 file; an empty one is tried when absent. */
        passphrase: z.string().max(1024).optional(),
      })
      .strict(),
  ),
  /** Forgets a picked certificate that will not be used (the person chose otherwise). */
  discardClientCertificate: command<void>()(z.object({ token: certificateToken }).strict()),

  /** Own presence on one account, or on all when accountId is absent. */
  setPresence: command<void>()(
    z.object({ accountId: accountId.optional(), show, status: z.string().max(1024) }).strict(),
  ),
  addContact: command<void>()(
    z.object({ accountId, jid: bareJid, name: z.string().trim().max(256).optional() }).strict(),
  ),
  approveSubscription: command<void>()(z.object({ accountId, jid: domainJidOrBare }).strict()),
  denySubscription: command<void>()(z.object({ accountId, jid: domainJidOrBare }).strict()),
  sendMessage: command<ChatMessage>()(
    z.object({ accountId, to: domainJidOrBare, body: z.string().min(1).max(100_000) }).strict(),
  ),
  /**
   * Corrects one of the person's own messages (XEP-0308): `id` is the message's id as shown.
   * Resolves with the message as corrected.
   */
  correctMessage: command<ChatMessage>()(
    z
      .object({
        accountId,
        to: domainJidOrBare,
        id: messageId,
        body: z.string().min(1).max(100_000),
      })
      .strict(),
  ),
  /** XEP-0085: the person is typing, stopped, or is looking at the conversation. */
  sendChatState: command<void>()(
    z
      .object({ accountId, to: domainJidOrBare, state: z.enum(["active", "composing", "paused"]) })
      .strict(),
  ),
  /**
   * A page of a conversation, oldest first: the newest messages; or the ones just before `before`
   * (scrolling up: older ones come from the server's archive once this computer has none); or
   * just after `after` (scrolling down after a jump); or around `around` (a search result in
   * context, that message included). At most one of the three.
   */
  history: command<ChatMessage[]>()(
    z
      .object({
        accountId,
        peer: domainJidOrBare,
        before: messageId.optional(),
        after: messageId.optional(),
        around: messageId.optional(),
        limit: z.number().int().min(1).max(500),
      })
      .strict()
      .refine(
        (args) =>
          [args.before, args.after, args.around].filter((id) => id !== undefined).length <= 1,
        { message: "Ask for one of before, after or around" },
      ),
  ),
  /** Every account's conversations, most recent first, with unread counts and the last message. */
  conversations: command<ConversationSummary[]>()(
    z.object({ limit: z.number().int().min(1).max(2000) }).strict(),
  ),
  /**
   * The person has seen the conversation up to the message `upTo` (it is in front and the window
   * focused): its unread count goes to 0 and the peer is told (XEP-0333 displayed) when it asked.
   */
  markRead: command<void>()(
    z.object({ accountId, peer: domainJidOrBare, upTo: messageId }).strict(),
  ),
  /**
   * Full-text search, newest first: across every account, within one account, or within one
   * conversation (`peer` needs `accountId`). `before` (a hit's message id) pages on.
   */
  search: command<SearchHit[]>()(
    z
      .object({
        text: z.string().trim().min(1).max(256),
        accountId: accountId.optional(),
        peer: domainJidOrBare.optional(),
        before: messageId.optional(),
        limit: z.number().int().min(1).max(200),
      })
      .strict()
      .refine((args) => args.peer === undefined || args.accountId !== undefined, {
        message: "Search a conversation within its account",
      }),
  ),
  /** Deletes the conversation's history kept on this computer (the server's archive stays). */
  deleteHistory: command<void>()(z.object({ accountId, peer: domainJidOrBare }).strict()),
  openExternal: command<void>()(z.object({ url: z.string().max(8192) }).strict()),

  /**
   * Files reach main either by path (Electron's preload: stageFileFromDisk) or, when the page has
   * no path (the preview, a pasted image), as bytes: beginFile, appendFile in order, finishFile.
   */
  beginFile: command<{ token: string }>()(
    z
      .object({
        name: z.string().max(1024),
        size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        mediaType: z.string().max(255),
      })
      .strict(),
  ),
  /** The next chunk of a file begun with beginFile, base64, at `offset`. */
  appendFile: command<void>()(
    z
      .object({
        token: fileToken,
        offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        data: z.string().max(Math.ceil(FILE_CHUNK_BYTES / 3) * 4),
      })
      .strict(),
  ),
  /** Every byte arrived: the file is ready to send. */
  finishFile: command<StagedFile>()(z.object({ token: fileToken }).strict()),
  /** The person will not send it after all: main forgets it (and deletes its copy). */
  discardFile: command<void>()(z.object({ token: fileToken }).strict()),

  /**
   * Uploads a staged file to the account's upload service (XEP-0363), then sends it to `to` as a
   * message. Resolves at once with the upload; its progress comes as "transfers" events.
   */
  sendFile: command<Transfer>()(
    z.object({ accountId, to: domainJidOrBare, token: fileToken }).strict(),
  ),
  /** Stops an upload or a download; a cancelled upload sends nothing. */
  cancelTransfer: command<void>()(z.object({ id: transferId }).strict()),
  /** Tries a failed or cancelled upload again, with a new slot. */
  retryTransfer: command<Transfer>()(z.object({ id: transferId }).strict()),
  /** Takes a finished, failed or cancelled transfer off the list. */
  dismissTransfer: command<void>()(z.object({ id: transferId }).strict()),
  /** What the file of a message is (size, type), asked of its server. */
  fileInfo: command<FileInfo>()(z.object({ accountId, peer: domainJidOrBare, messageId }).strict()),
  /** A small image's bytes for its preview; null when it is not one (too big, not an image). */
  filePreview: command<FilePreview | null>()(
    z.object({ accountId, peer: domainJidOrBare, messageId }).strict(),
  ),
  /** Saves the file of a message in the downloads folder; progress comes as "transfers" events. */
  downloadFile: command<Transfer>()(
    z.object({ accountId, peer: domainJidOrBare, messageId }).strict(),
  ),
  /** Opens a downloaded file with the system's application for it (never automatically). */
  openDownload: command<void>()(z.object({ id: transferId }).strict()),
  /** Shows a downloaded file in the system's file manager. */
  showDownload: command<void>()(z.object({ id: transferId }).strict()),
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandArgs<K extends CommandName> = z.input<Commands[K]["args"]>;
export type ParsedArgs<K extends CommandName> = z.output<Commands[K]["args"]>;
export type CommandResult<K extends CommandName> = Commands[K]["result"];

export const commandNames = Object.keys(commands) as CommandName[];

/**
 * Preload's one channel beside the commands: a dropped file's path, resolved in preload from a
 * real File (webUtils.getPathForFile), so the page can never name a path itself.
 */
export const STAGE_FILE_CHANNEL = "wren:stage-file-from-disk";

export const stageFileArgs = z
  .object({
    path: z.string().min(1).max(32_767),
    name: z.string().max(1024),
    mediaType: z.string().max(255),
  })
  .strict();

export function commandChannel(name: CommandName): string {
  return `wren:${name}`;
}
