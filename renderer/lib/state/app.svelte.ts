// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type {
  AccountSummary,
  ChatMessage,
  ClientCertificatePick,
  CommandArgs,
  CredentialStoreKind,
  Envelope,
  FileInfo,
  RegistrationForm,
  Show,
  Snapshot,
  UserError,
  WrenApi,
  WrenEvent,
} from "../../../preload/contract";
import { AccountsState } from "./accounts.svelte";
import { CatchUpState } from "./catch-up.svelte";
import { ChatController } from "./chat.svelte";
import { ConversationsState, type Thread } from "./conversations.svelte";
import { FilesController } from "./files";
import type { DecodedPreview } from "../files/preview-image";
import { RosterState } from "./roster.svelte";
import { SearchState } from "./search.svelte";
import { TransfersState } from "./transfers.svelte";

export type AddAccountForm = CommandArgs<"addAccount">;
export type UpdateAccountForm = CommandArgs<"updateAccount">;
export type Result = { ok: true } | { ok: false; error: UserError };

/**
 * A contact on several accounts, waiting for the person to pick which account to chat from — or
 * to send `files` files from, when some were dropped on the contact.
 */
export interface AccountChoice {
  jid: string;
  accountIds: readonly string[];
  files?: number;
}

/**
 * The renderer's model: owns the API, applies the snapshot and every event batch to the state
 * classes, and turns user actions into commands. Components read state from here and call its
 * methods; none of them talks to the API directly.
 */
export interface WrenAppOptions {
  /**
   * Whether the person can see the page now (the window focused and visible): only then is what
   * the open conversation shows marked read. Tests pass their own.
   */
  attentive?: () => boolean;
}

export class WrenApp {
  readonly accounts = new AccountsState();
  readonly roster = new RosterState();
  readonly conversations = new ConversationsState();
  readonly catchUp = new CatchUpState();
  readonly transfers = new TransfersState();
  readonly chat: ChatController;
  readonly search: SearchState;
  readonly #files: FilesController;
  readonly #api: WrenApi;
  #unsubscribe: (() => void) | null = null;
  /**
   * Which account to chat with a JID from, when several have it. Kept in this window's memory
   * only: it is forgotten when Wren restarts.
   */
  #preferredAccount = new Map<string, string>();
  #choice = $state.raw<AccountChoice | null>(null);
  /** Files dropped on a contact while the chooser asks which account sends them. */
  #pendingFiles: readonly File[] | null = null;

  constructor(api: WrenApi, options: WrenAppOptions = {}) {
    this.#api = api;
    this.chat = new ChatController(api, this.conversations, options.attentive ?? pageInView);
    this.search = new SearchState(api);
    this.#files = new FilesController(api, this.transfers);
  }

  /** Set while the account chooser is open. */
  get choice(): AccountChoice | null {
    return this.#choice;
  }

  /** Subscribes to events and loads the snapshot; rejects with a readable message on failure. */
  async start(): Promise<void> {
    // Events and command replies travel in order on one channel, so events that arrive before the
    // snapshot's reply are already part of it — except messages, which the snapshot leaves out.
    let early: WrenEvent[] | null = [];
    this.#unsubscribe = this.#api.onEvents((events) => {
      if (early) early.push(...events);
      else this.applyEvents(events);
    });
    const snapshot = await this.#api.snapshot({});
    const buffered = early;
    early = null;
    if (!snapshot.ok) {
      this.stop();
      throw new Error(snapshot.error.message);
    }
    this.applySnapshot(snapshot.value);
    this.applyEvents(buffered.filter((event) => event.type === "messages"));
    // Not awaited: the page shows at once, the list fills in a moment later.
    void this.chat.loadConversations();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  applySnapshot(snapshot: Snapshot): void {
    this.accounts.setAll(snapshot.accounts);
    this.accounts.setCredentials(snapshot.credentials);
    this.accounts.setSettingsProblem(snapshot.settingsProblem);
    for (const data of snapshot.data) {
      this.roster.applyRoster(data.accountId, data.roster, [], true);
      this.roster.applyPresence(data.accountId, data.presence);
      this.accounts.setOwnPresence(data.accountId, data.ownPresence);
      this.accounts.setRequests(data.accountId, data.subscriptionRequests);
      if (data.catchUp) this.catchUp.set(data.accountId, data.catchUp);
    }
    this.roster.setAccountOrder(snapshot.accounts.map((a) => a.id));
    this.roster.commit();
    this.#files.applySnapshot(snapshot.transfers);
  }

  /** Applies one batch as one update: the roster is re-sorted once, unread counts replaced once. */
  applyEvents(events: readonly WrenEvent[]): void {
    let accountsChanged = false;
    for (const event of events) {
      switch (event.type) {
        case "account":
          this.accounts.upsert(event.account);
          accountsChanged = true;
          break;
        case "account-removed":
          this.#forgetAccount(event.accountId);
          accountsChanged = true;
          break;
        case "roster":
          this.roster.applyRoster(event.accountId, event.upserted, event.removed, event.reset);
          break;
        case "presence":
          this.roster.applyPresence(event.accountId, event.contacts);
          break;
        case "own-presence":
          this.accounts.setOwnPresence(event.accountId, { show: event.show, status: event.status });
          break;
        case "messages":
          this.chat.applyMessages(event.accountId, event.messages);
          break;
        case "message-changes":
          this.conversations.applyChanges(event.accountId, event.changes);
          break;
        case "chat-state":
          if (this.conversations.hasThread(event.accountId, event.peer)) {
            this.conversations.thread(event.accountId, event.peer).peerState = event.state;
          }
          break;
        case "conversation-read":
          this.conversations.markedRead(event.accountId, event.peer);
          break;
        case "catch-up":
          this.catchUp.set(event.accountId, event.progress);
          // What came in is counted by main: its counts replace the page's guesses.
          if (!event.progress.running) void this.chat.loadConversations();
          break;
        case "subscription-request":
          this.accounts.addRequest(event.accountId, event.jid);
          break;
        case "subscription-request-resolved":
          this.accounts.resolveRequest(event.accountId, event.jid);
          break;
        case "transfers":
          this.#files.applyEvent(event.changed, event.removed);
          break;
      }
    }
    if (accountsChanged) this.roster.setAccountOrder(this.accounts.list.map((a) => a.id));
    this.roster.commit();
  }

  // Accounts

  async addAccount(form: AddAccountForm): Promise<Result> {
    return this.#accountResult(await this.#api.addAccount(form));
  }

  /**
   * Main shows the system's file dialog and keeps the certificate; only a token and what to show
   * come back. With the token of an earlier answer: the passphrase, or the dialog for the key.
   */
  async pickClientCertificate(
    args: CommandArgs<"pickClientCertificate"> = {},
  ): Promise<Envelope<ClientCertificatePick>> {
    return this.#api.pickClientCertificate(args);
  }

  /** Main forgets a picked certificate the person will not use. */
  discardClientCertificate(token: string): void {
    void this.#api.discardClientCertificate({ token });
  }

  async updateAccount(form: UpdateAccountForm): Promise<Result> {
    return this.#accountResult(await this.#api.updateAccount(form));
  }

  async setAccountEnabled(accountId: string, enabled: boolean): Promise<Result> {
    return this.#accountResult(await this.#api.setAccountEnabled({ accountId, enabled }));
  }

  /** Trusts the certificate the account's last sign-in was refused for, and signs in again. */
  async trustCertificate(accountId: string, fingerprint: string): Promise<Result> {
    return this.#accountResult(await this.#api.trustCertificate({ accountId, fingerprint }));
  }

  async forgetTrustedCertificate(accountId: string): Promise<Result> {
    return this.#accountResult(await this.#api.forgetTrustedCertificate({ accountId }));
  }

  async acceptWeakerSignIn(accountId: string): Promise<Result> {
    return this.#accountResult(await this.#api.acceptWeakerSignIn({ accountId }));
  }

  async removeAccount(accountId: string): Promise<Result> {
    const result = done(await this.#api.removeAccount({ accountId }));
    if (result.ok) this.#forgetAccount(accountId);
    return result;
  }

  /** One account, or all of them without an id. */
  async reconnect(accountId?: string): Promise<Result> {
    return done(await this.#api.reconnect(accountId === undefined ? {} : { accountId }));
  }

  async goOffline(accountId?: string): Promise<Result> {
    return done(await this.#api.goOffline(accountId === undefined ? {} : { accountId }));
  }

  async chooseCredentialStore(kind: CredentialStoreKind): Promise<Result> {
    const result = done(await this.#api.chooseCredentialStore({ kind }));
    if (result.ok) this.accounts.credentialStoreChosen(kind);
    return result;
  }

  async fetchRegistrationForm(
    args: CommandArgs<"fetchRegistrationForm">,
  ): Promise<Envelope<{ formId: string; form: RegistrationForm }>> {
    return this.#api.fetchRegistrationForm(args);
  }

  async submitRegistration(args: CommandArgs<"submitRegistration">): Promise<Result> {
    return this.#accountResult(await this.#api.submitRegistration(args));
  }

  cancelRegistration(formId: string): void {
    void this.#api.cancelRegistration({ formId });
  }

  // Presence and contacts

  /** Own presence on one account, or on all of them without an id. */
  async setPresence(show: Show, status: string, accountId?: string): Promise<Result> {
    const result = done(
      await this.#api.setPresence({ show, status, ...(accountId !== undefined && { accountId }) }),
    );
    if (result.ok) {
      const ids = accountId === undefined ? this.accounts.list.map((a) => a.id) : [accountId];
      for (const id of ids) this.accounts.setOwnPresence(id, { show, status });
    }
    return result;
  }

  async addContact(accountId: string, jid: string, name: string): Promise<Result> {
    const trimmed = name.trim();
    return done(
      await this.#api.addContact({ accountId, jid: jid.trim(), ...(trimmed && { name: trimmed }) }),
    );
  }

  async approve(accountId: string, jid: string): Promise<Result> {
    return done(await this.#api.approveSubscription({ accountId, jid }));
  }

  async deny(accountId: string, jid: string): Promise<Result> {
    return done(await this.#api.denySubscription({ accountId, jid }));
  }

  // Conversations

  /**
   * Starts a chat with `jid`: over `accountId` when given, else over the only account that has
   * the contact, the one chosen before, or — when several have it — after asking (see `choice`).
   */
  startChat(jid: string, accountId?: string): void {
    const chosen = accountId ?? this.#accountFor(jid);
    if (Array.isArray(chosen)) {
      this.#pendingFiles = null;
      this.#choice = { jid, accountIds: chosen };
    } else if (typeof chosen === "string") {
      this.openConversation(chosen, jid);
    }
  }

  /**
   * Sends files dropped on a contact, and opens the conversation: over `accountId` when given,
   * else over the account startChat would use — asking first when several have the contact.
   */
  sendFilesToContact(jid: string, files: readonly File[], accountId?: string): void {
    if (files.length === 0) return;
    const chosen = accountId ?? this.#accountFor(jid);
    if (Array.isArray(chosen)) {
      this.#pendingFiles = files;
      this.#choice = { jid, accountIds: chosen, files: files.length };
    } else if (typeof chosen === "string") {
      this.openConversation(chosen, jid);
      void this.sendFiles(chosen, jid, files);
    }
  }

  /**
   * The person picked an account in the chooser: remember it, open the chat and send the files
   * waiting for the choice. Without an account (cancelled), the files are not sent.
   */
  chooseAccount(accountId: string | null): void {
    const choice = this.#choice;
    const files = this.#pendingFiles;
    this.#choice = null;
    this.#pendingFiles = null;
    if (!choice || accountId === null) return;
    this.#preferredAccount.set(choice.jid, accountId);
    this.openConversation(accountId, choice.jid);
    if (files) void this.sendFiles(accountId, choice.jid, files);
  }

  /**
   * The account to reach `jid` from: the only one that has the contact, the one chosen before,
   * the first account when none has it (null when there is none); or, when several have it,
   * those accounts, to ask which.
   */
  #accountFor(jid: string): string | readonly string[] | null {
    const candidates = this.roster.accountsOf(jid);
    const remembered = this.#preferredAccount.get(jid);
    if (remembered !== undefined && candidates.includes(remembered)) return remembered;
    if (candidates.length === 1) return candidates[0] as string;
    if (candidates.length === 0) return this.accounts.list[0]?.id ?? null;
    return candidates;
  }

  openConversation(accountId: string, peer: string): void {
    this.search.hide();
    this.chat.openConversation(accountId, peer);
  }

  loadOlder(thread: Thread): Promise<void> {
    return this.chat.loadOlder(thread);
  }

  sendMessage(thread: Thread, body: string): Promise<Envelope<ChatMessage>> {
    return this.chat.sendMessage(thread, body);
  }

  deleteHistory(thread: Thread): Promise<Result> {
    return this.chat.deleteHistory(thread);
  }

  openExternal(url: string): void {
    void this.#api.openExternal({ url });
  }

  // Files

  /**
   * Sends files to `peer` over `accountId` (at most MAX_FILES_AT_ONCE): each is handed over to
   * main, then uploaded, with its own row in the conversation's list of files being sent.
   */
  sendFiles(accountId: string, peer: string, files: readonly File[]): Promise<void> {
    return this.#files.sendFiles(accountId, peer, files);
  }

  /** Stops an upload or a download (or a file still being handed over). */
  cancelTransfer(id: string): void {
    this.#files.cancelTransfer(id);
  }

  /** Tries a failed or cancelled upload again. */
  retryTransfer(id: string): Promise<Result> {
    return this.#files.retryTransfer(id);
  }

  /** Takes a finished, failed or cancelled transfer off the list. */
  dismissTransfer(id: string): void {
    this.#files.dismissTransfer(id);
  }

  /** Clears the conversation's note about files left out of a drop. */
  dismissFileNotice(accountId: string, peer: string): void {
    this.#files.dismissNotice(accountId, peer);
  }

  /** Saves a message's file in the downloads folder; progress shows on its card. */
  downloadFile(accountId: string, peer: string, messageId: string): Promise<Result> {
    return this.#files.downloadFile(accountId, peer, messageId);
  }

  /** Opens a downloaded file with the system's application for it. */
  async openDownload(id: string): Promise<Result> {
    return done(await this.#files.openDownload(id));
  }

  /** Shows a downloaded file in the system's file manager. */
  async showDownload(id: string): Promise<Result> {
    return done(await this.#files.showDownload(id));
  }

  /** A message's file's size and type, asked of its server once; null when it cannot tell. */
  fileInfo(accountId: string, peer: string, messageId: string): Promise<FileInfo | null> {
    return this.#files.fileInfo(accountId, peer, messageId);
  }

  /** A message's image decoded for its preview, asked once; null when there is none. */
  filePreview(accountId: string, peer: string, messageId: string): Promise<DecodedPreview | null> {
    return this.#files.filePreview(accountId, peer, messageId);
  }

  #accountResult(envelope: Envelope<AccountSummary>): Result {
    if (!envelope.ok) return { ok: false, error: envelope.error };
    this.accounts.upsert(envelope.value);
    this.roster.setAccountOrder(this.accounts.list.map((a) => a.id));
    return { ok: true };
  }

  #forgetAccount(accountId: string): void {
    this.accounts.remove(accountId);
    this.roster.removeAccount(accountId);
    this.roster.setAccountOrder(this.accounts.list.map((a) => a.id));
    this.roster.commit();
    this.conversations.removeAccount(accountId);
    this.catchUp.remove(accountId);
    this.#files.removeAccount(accountId);
    for (const [jid, id] of this.#preferredAccount) {
      if (id === accountId) this.#preferredAccount.delete(jid);
    }
  }
}

function done(envelope: Envelope<unknown>): Result {
  return envelope.ok ? { ok: true } : { ok: false, error: envelope.error };
}

/** The window has the focus and is not hidden (minimised, another workspace). */
function pageInView(): boolean {
  return document.hasFocus() && document.visibilityState === "visible";
}
