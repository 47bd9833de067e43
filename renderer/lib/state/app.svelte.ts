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
  RegistrationForm,
  Show,
  Snapshot,
  UserError,
  WrenApi,
  WrenEvent,
} from "../../../preload/contract";
import { AccountsState } from "./accounts.svelte";
import { ConversationsState, HISTORY_PAGE, type Thread } from "./conversations.svelte";
import { RosterState } from "./roster.svelte";

export type AddAccountForm = CommandArgs<"addAccount">;
export type UpdateAccountForm = CommandArgs<"updateAccount">;
export type Result = { ok: true } | { ok: false; error: UserError };

/** A contact on several accounts, waiting for the person to pick which account to chat from. */
export interface AccountChoice {
  jid: string;
  accountIds: readonly string[];
}

/**
 * The renderer's model: owns the API, applies the snapshot and every event batch to the state
 * classes, and turns user actions into commands. Components read state from here and call its
 * methods; none of them talks to the API directly.
 */
export class WrenApp {
  readonly accounts = new AccountsState();
  readonly roster = new RosterState();
  readonly conversations = new ConversationsState();
  readonly #api: WrenApi;
  #unsubscribe: (() => void) | null = null;
  #loadingLatest = new Set<string>();
  /**
   * Which account to chat with a JID from, when several have it. Kept in this window's memory
   * only: it is forgotten when Wren restarts.
   */
  #preferredAccount = new Map<string, string>();
  #choice = $state.raw<AccountChoice | null>(null);

  constructor(api: WrenApi) {
    this.#api = api;
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
    }
    this.roster.setAccountOrder(snapshot.accounts.map((a) => a.id));
    this.roster.commit();
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
          this.conversations.applyMessages(event.accountId, event.messages);
          break;
        case "subscription-request":
          this.accounts.addRequest(event.accountId, event.jid);
          break;
        case "subscription-request-resolved":
          this.accounts.resolveRequest(event.accountId, event.jid);
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
    if (accountId !== undefined) return this.openConversation(accountId, jid);
    const candidates = this.roster.accountsOf(jid);
    const remembered = this.#preferredAccount.get(jid);
    if (remembered !== undefined && candidates.includes(remembered)) {
      return this.openConversation(remembered, jid);
    }
    if (candidates.length === 1) return this.openConversation(candidates[0] as string, jid);
    if (candidates.length === 0) {
      const first = this.accounts.list[0];
      if (first) this.openConversation(first.id, jid);
      return;
    }
    this.#choice = { jid, accountIds: candidates };
  }

  /** The person picked an account in the chooser: remember it and open the chat. */
  chooseAccount(accountId: string | null): void {
    const choice = this.#choice;
    this.#choice = null;
    if (!choice || accountId === null) return;
    this.#preferredAccount.set(choice.jid, accountId);
    this.openConversation(accountId, choice.jid);
  }

  /** Opens the conversation with `peer` over `accountId`, loading its newest history the first time. */
  openConversation(accountId: string, peer: string): void {
    this.conversations.select({ accountId, peer });
    const thread = this.conversations.thread(accountId, peer);
    if (!thread.historyLoaded && !this.#loadingLatest.has(thread.key)) {
      void this.#loadLatest(thread);
    }
  }

  async loadOlder(thread: Thread): Promise<void> {
    if (thread.loadingOlder || !thread.hasOlder) return;
    const oldest = thread.messages[0];
    thread.beginLoadingOlder();
    const page = await this.#api.history({
      accountId: thread.accountId,
      peer: thread.peer,
      limit: HISTORY_PAGE,
      ...(oldest && { before: oldest.id }),
    });
    if (page.ok) thread.olderArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
  }

  async sendMessage(thread: Thread, body: string): Promise<Envelope<ChatMessage>> {
    const sent = await this.#api.sendMessage({
      accountId: thread.accountId,
      to: thread.peer,
      body,
    });
    if (sent.ok) this.conversations.applyMessages(thread.accountId, [sent.value]);
    return sent;
  }

  /** Deletes the conversation's history on this computer; the server's archive keeps its copy. */
  async deleteHistory(thread: Thread): Promise<Result> {
    const result = done(
      await this.#api.deleteHistory({ accountId: thread.accountId, peer: thread.peer }),
    );
    if (result.ok) thread.historyDeleted();
    return result;
  }

  openExternal(url: string): void {
    void this.#api.openExternal({ url });
  }

  async #loadLatest(thread: Thread): Promise<void> {
    this.#loadingLatest.add(thread.key);
    const page = await this.#api.history({
      accountId: thread.accountId,
      peer: thread.peer,
      limit: HISTORY_PAGE,
    });
    this.#loadingLatest.delete(thread.key);
    // The account was removed meanwhile.
    if (!this.conversations.hasThread(thread.accountId, thread.peer)) return;
    if (page.ok) thread.historyArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
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
    for (const [jid, id] of this.#preferredAccount) {
      if (id === accountId) this.#preferredAccount.delete(jid);
    }
  }
}

function done(envelope: Envelope<unknown>): Result {
  return envelope.ok ? { ok: true } : { ok: false, error: envelope.error };
}
