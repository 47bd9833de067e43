import { Emitter } from "../shared/emitter";
import { errorName } from "../shared/errors";
import { createLogger, type Logger } from "../shared/log";
import { Carbons } from "./features/carbons";
import { Chat } from "./features/chat/chat";
import { createDisco, type CapsCache, type Disco } from "./features/disco";
import type { ConversationLimits } from "./features/chat/conversation-store";
import { MemoryHistory } from "./features/chat/memory-history";
import type { ChatHistory } from "./features/chat/message-record";
import { Archive } from "./features/mam/mam";
import { HttpUpload } from "./features/upload/http-upload";
import { Ping } from "./features/ping";
import { Presence } from "./features/presence";
import type { PresenceLimits } from "./features/presence-book";
import { Roster } from "./features/roster";
import type { Outbox } from "./outbox";
import { StanzaRouter } from "./router";
import { NS_SID } from "./stanzas/namespaces";
import type { AccountStateEvents } from "./session-api";

export interface AccountStateOptions {
  /** Bare JID of the account. */
  jid: string;
  /** The account's id, as its messages are stored under it; the JID when there is none. */
  accountId?: string;
  /** Where its conversations are kept: the database; memory only (this run) by default. */
  history?: ChatHistory;
  log?: Logger;
  now?: () => number;
  /** Verified entity capabilities, shared by every account (XEP-0115 hashes are global). */
  capsCache?: CapsCache;
  limits?: {
    conversations?: Partial<ConversationLimits>;
    presence?: Partial<PresenceLimits>;
    subscriptionRequests?: number;
  };
}

/**
 * What one account knows — roster, presence, conversations — and the features that keep it, behind
 * one stanza router. It lives as long as the account: connections come and go (editing, disabling,
 * a failed resumption) and each plugs into the same state, so nothing is lost between them.
 */
export class AccountState {
  readonly jid: string;
  readonly router: StanzaRouter;
  /** "Does the server, or this contact, support X?" for every feature (XEP-0030, XEP-0115). */
  readonly disco: Disco;
  readonly carbons: Carbons;
  readonly archive: Archive;
  readonly roster: Roster;
  readonly presence: Presence;
  readonly chat: Chat;
  readonly upload: HttpUpload;
  readonly #events: Emitter<AccountStateEvents>;
  #outbox: () => Outbox | null = () => null;
  #priority: number | undefined;

  constructor(options: AccountStateOptions) {
    this.jid = options.jid;
    const log = options.log ?? createLogger("core/account");
    this.#events = new Emitter<AccountStateEvents>((error) =>
      log.error("an account listener failed", { error: errorName(error) }, error),
    );
    const events = this.#events;
    this.router = new StanzaRouter(log);
    // Order is priority: disco learns the server's features before the features after it start,
    // and reads caps from presence without taking it; carbons are enabled before our initial
    // presence goes out, and take the copies they carry before chat sees messages; the roster
    // takes subscription presences before presence sees the rest, and is fetched before our
    // initial presence goes out; the archive's catch-up starts after it, and takes its results
    // before chat sees messages.
    this.disco = this.router.add(
      createDisco({
        account: this.jid,
        features: () => this.router.discoFeatures(),
        cache: options.capsCache,
        log,
        outbox: () => this.#outbox(),
      }),
    );
    this.carbons = this.router.add(
      new Carbons({
        account: this.jid,
        disco: this.disco,
        deliver: (message, direction) => this.chat.receiveCarbon(message, direction),
        log,
      }),
    );
    const accountId = options.accountId ?? this.jid;
    this.router.add(new Ping());
    this.roster = this.router.add(
      new Roster({
        account: this.jid,
        outbox: () => this.#requireOutbox(),
        onChange: (change) => events.emit("roster", change),
        onRequest: (jid) => events.emit("subscriptionRequest", jid),
        onRequestResolved: (jid) => events.emit("subscriptionRequestResolved", jid),
        maxRequests: options.limits?.subscriptionRequests,
      }),
    );
    this.presence = this.router.add(
      new Presence({
        account: this.jid,
        outbox: () => this.#outbox(),
        isContact: (jid) => this.roster.has(jid),
        priority: () => this.#priority,
        extensions: () => [this.disco.capsElement()],
        onContacts: (contacts) => events.emit("presence", contacts),
        onOwn: (own) => events.emit("ownPresence", own),
        limits: options.limits?.presence,
      }),
    );
    // After carbons and after initial presence: from then on everything sent to us comes live,
    // so whatever came before is in the archive when the catch-up reads it. (Started before
    // presence, a message arriving in between would be missed: Prosody does not hand offline
    // messages to a session that queried the archive, and the query was already answered.)
    this.archive = this.router.add(
      new Archive({
        accountId,
        account: this.jid,
        history: () => this.chat.keptIn,
        keep: (items, order) => this.chat.keepArchived(items, order),
        onCaughtUp: () => this.chat.catchUpDone(),
        onProgress: (progress) => events.emit("catchUp", progress),
        outbox: () => this.#outbox(),
        log,
        now: options.now,
      }),
    );
    this.chat = this.router.add(
      new Chat({
        accountId,
        account: this.jid,
        outbox: () => this.#outbox(),
        history: options.history ?? new MemoryHistory(options.limits?.conversations),
        onMessage: (message) => events.emit("message", message),
        onChanges: (changes) => events.emit("messageChanges", changes),
        onChatState: (peer, state) => events.emit("chatState", peer, state),
        onRead: (peer) => events.emit("conversationRead", peer),
        catchingUp: () => this.archive.catchingUp,
        onKeptLive: (archiveId, at) => this.archive.keptLive(archiveId, at),
        fetchOlder: (peer, oldest, limit) => this.archive.fetchOlder(peer, oldest, limit),
        // Prosody announces its stanza-ids on the account, others on the server.
        trustsArchiveIds: () =>
          this.disco.accountSupports(NS_SID) || this.disco.serverSupports(NS_SID),
        log,
        now: options.now,
      }),
    );
    this.upload = this.router.add(
      new HttpUpload({
        account: this.jid,
        disco: this.disco,
        outbox: () => this.#outbox(),
        log,
      }),
    );
  }

  on<E extends keyof AccountStateEvents>(event: E, listener: AccountStateEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Where its messages are kept from now on: the database, or memory when the account stops
   * keeping history. What was kept before stays where it is.
   */
  useHistory(history: ChatHistory): Promise<void> {
    return this.chat.useHistory(history);
  }

  /** The connection features send through from now on: its outbox, or null while it is offline. */
  useConnection(outbox: () => Outbox | null, priority: number | undefined): void {
    this.#outbox = outbox;
    this.#priority = priority;
  }

  #requireOutbox(): Outbox {
    const outbox = this.#outbox();
    if (!outbox) throw new Error("no connection");
    return outbox;
  }
}
