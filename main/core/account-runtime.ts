import type {
  ChatMessage,
  ContactPresence,
  RosterItem,
  SessionState,
  Show,
} from "../../preload/contract";
import { WrenError } from "../shared/errors";
import { AccountState } from "./account-state";
import { requireBareJid, toBareJid } from "./jid";
import { Session } from "./session";
import type {
  AccountStateEvents,
  ConnectionEvents,
  HistoryQuery,
  SessionEvents,
  SessionOptions,
  XmppSession,
} from "./session-api";

const STATE_EVENTS = new Set<keyof SessionEvents>([
  "roster",
  "presence",
  "ownPresence",
  "message",
  "messageChanges",
  "chatState",
  "conversationRead",
  "catchUp",
  "subscriptionRequest",
  "subscriptionRequestResolved",
]);

export function createSession(options: SessionOptions): XmppSession {
  return new AccountRuntime(options);
}

/**
 * One account as the app uses it: a connection (session.ts) plugged into the account's state (the
 * features behind the router). The state is passed in and outlives this runtime, so replacing the
 * connection — new settings, disabling and enabling — keeps the roster and the conversations.
 */
class AccountRuntime implements XmppSession {
  readonly jid: string;
  readonly #session: Session;
  readonly #state: AccountState;
  readonly #priority: number | undefined;

  constructor(options: SessionOptions) {
    const { state, ...connection } = options;
    this.#state = state ?? new AccountState({ jid: requireBareJid(options.jid), log: options.log });
    this.#session = new Session({ ...connection, router: this.#state.router });
    this.jid = this.#session.jid;
    if (this.#state.jid !== this.jid) {
      throw new WrenError("internal", "An account's state was given to another account.");
    }
    this.#priority = options.priority;
    this.#state.useConnection(() => this.#session.outbox(), this.#priority);
  }

  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void {
    if (STATE_EVENTS.has(event)) {
      return this.#state.on(
        event as keyof AccountStateEvents,
        listener as AccountStateEvents[keyof AccountStateEvents],
      );
    }
    return this.#session.on(
      event as keyof ConnectionEvents,
      listener as ConnectionEvents[keyof ConnectionEvents],
    );
  }

  start(): Promise<void> {
    // The state now belongs to this connection, whichever had it before.
    this.#state.useConnection(() => this.#session.outbox(), this.#priority);
    return this.#session.start();
  }

  stop(): Promise<void> {
    return this.#session.stop();
  }

  reconnectNow(): void {
    this.#session.reconnectNow();
  }

  state(): SessionState {
    return this.#session.state();
  }

  rosterItems(): RosterItem[] {
    return this.#state.roster.items().map((item) => ({ ...item, groups: [...item.groups] }));
  }

  contactPresences(): ContactPresence[] {
    return this.#state.presence.contacts();
  }

  subscriptionRequests(): string[] {
    return this.#state.roster.requests();
  }

  ownPresence(): { show: Show; status: string } {
    return this.#state.presence.own();
  }

  async setPresence(show: Show, status: string): Promise<void> {
    await this.#state.presence.setOwn(show, status);
  }

  async addContact(jid: string, name?: string): Promise<void> {
    const bare = requireBareJid(jid);
    if (bare === this.jid) {
      throw new WrenError("invalid-argument", "That is your own address.");
    }
    await this.#session.command(() => this.#state.roster.add(bare, name?.trim() || undefined));
  }

  async approveSubscription(jid: string): Promise<void> {
    const bare = requireBareJid(jid);
    await this.#session.command(() => this.#state.roster.approve(bare));
  }

  async denySubscription(jid: string): Promise<void> {
    const bare = requireBareJid(jid);
    await this.#session.command(() => this.#state.roster.deny(bare));
  }

  sendMessage(to: string, body: string): Promise<ChatMessage> {
    return this.#state.chat.send(to, body);
  }

  history(peer: string, query: HistoryQuery, limit: number): Promise<ChatMessage[]> {
    return this.#state.chat.history(toBareJid(peer) ?? peer, query, limit);
  }
}
