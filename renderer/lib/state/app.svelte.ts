// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type {
  ChatMessage,
  Envelope,
  Show,
  Snapshot,
  UserError,
  WrenApi,
  WrenEvent,
} from "../../../preload/contract";
import { ConversationsState, HISTORY_PAGE } from "./conversations.svelte";
import { RosterState } from "./roster.svelte";
import { SessionStore } from "./session.svelte";

export interface SignInForm {
  jid: string;
  password: string;
  host?: string;
  port?: number;
  directTls: boolean;
}

type Result = { ok: true } | { ok: false; error: UserError };

/**
 * The renderer's model: owns the API, applies the snapshot and every event batch to the state
 * classes, and turns user actions into commands. Components read state from here and call its
 * methods; none of them talks to the API directly.
 */
export class WrenApp {
  readonly session = new SessionStore();
  readonly roster = new RosterState();
  readonly conversations = new ConversationsState();
  readonly #api: WrenApi;
  #unsubscribe: (() => void) | null = null;
  #loadingLatest = new Set<string>();

  constructor(api: WrenApi) {
    this.#api = api;
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
    this.roster.applyRoster(snapshot.roster, [], true);
    this.roster.applyPresence(snapshot.presence);
    this.roster.commit();
    this.session.setSession(snapshot.session, snapshot.roster.length > 0);
    this.session.setOwnPresence(snapshot.ownPresence.show, snapshot.ownPresence.status);
    this.session.setRequests(snapshot.subscriptionRequests);
  }

  /** Applies one batch as one update: the roster is re-sorted once, unread counts replaced once. */
  applyEvents(events: readonly WrenEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case "session":
          if (event.session.state === "offline" || event.session.jid !== this.session.jid) {
            this.#forgetAccount();
          }
          this.session.setSession(event.session);
          break;
        case "roster":
          this.roster.applyRoster(event.upserted, event.removed, event.reset);
          break;
        case "presence":
          this.roster.applyPresence(event.contacts);
          break;
        case "own-presence":
          this.session.setOwnPresence(event.show, event.status);
          break;
        case "messages":
          this.conversations.applyMessages(event.messages);
          break;
        case "subscription-request":
          this.session.addRequest(event.jid);
          break;
        case "subscription-request-resolved":
          this.session.resolveRequest(event.jid);
          break;
      }
    }
    this.roster.commit();
  }

  async signIn(form: SignInForm): Promise<Result> {
    return done(await this.#api.signIn(form));
  }

  async signOut(): Promise<Result> {
    return done(await this.#api.signOut({}));
  }

  async setPresence(show: Show, status: string): Promise<Result> {
    const result = done(await this.#api.setPresence({ show, status }));
    if (result.ok) this.session.setOwnPresence(show, status);
    return result;
  }

  async addContact(jid: string, name: string): Promise<Result> {
    const trimmed = name.trim();
    return done(await this.#api.addContact({ jid: jid.trim(), ...(trimmed && { name: trimmed }) }));
  }

  async approve(jid: string): Promise<Result> {
    return done(await this.#api.approveSubscription({ jid }));
  }

  async deny(jid: string): Promise<Result> {
    return done(await this.#api.denySubscription({ jid }));
  }

  /** Opens the conversation with `peer`, loading its newest history the first time. */
  openConversation(peer: string): void {
    this.conversations.select(peer);
    const thread = this.conversations.thread(peer);
    if (!thread.historyLoaded && !this.#loadingLatest.has(peer)) void this.#loadLatest(peer);
  }

  async loadOlder(peer: string): Promise<void> {
    const thread = this.conversations.thread(peer);
    if (thread.loadingOlder || !thread.hasOlder) return;
    const oldest = thread.messages[0];
    thread.beginLoadingOlder();
    const page = await this.#api.history({
      peer,
      limit: HISTORY_PAGE,
      ...(oldest && { before: oldest.timestamp }),
    });
    if (page.ok) thread.olderArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
  }

  async sendMessage(peer: string, body: string): Promise<Envelope<ChatMessage>> {
    const sent = await this.#api.sendMessage({ to: peer, body });
    if (sent.ok) this.conversations.applyMessages([sent.value]);
    return sent;
  }

  openExternal(url: string): void {
    void this.#api.openExternal({ url });
  }

  async #loadLatest(peer: string): Promise<void> {
    this.#loadingLatest.add(peer);
    const page = await this.#api.history({ peer, limit: HISTORY_PAGE });
    this.#loadingLatest.delete(peer);
    if (!this.conversations.hasThread(peer)) return; // signed out meanwhile
    const thread = this.conversations.thread(peer);
    if (page.ok) thread.historyArrived(page.value, HISTORY_PAGE);
    else thread.historyFailed(page.error.message);
  }

  #forgetAccount(): void {
    this.roster.clear();
    this.conversations.clear();
    this.session.setRequests([]);
  }
}

function done(envelope: Envelope<unknown>): Result {
  return envelope.ok ? { ok: true } : { ok: false, error: envelope.error };
}
