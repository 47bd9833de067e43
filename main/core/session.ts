import { randomBytes } from "node:crypto";
import type { Client, Element } from "@xmpp/client";
import type {
  ChatMessage,
  ConnectionSecurity,
  ConnectionState,
  ContactPresence,
  RosterItem,
  SessionState,
  Show,
  UserError,
} from "../../preload/contract";
import { WrenError } from "../shared/errors";
import type { SessionEvents, SessionOptions, XmppSession } from "./session-api";
import { Backoff } from "./backoff";
import { Chat } from "./chat";
import { systemClock, type Clock } from "../shared/clock";
import type { AuthOutcome } from "./auth/credentials";
import type { FastToken } from "./auth/fast-token";
import { tlsSocketOf } from "./auth/sasl-negotiation";
import { createClient, destroySocket } from "./connection";
import { noSignals, type ConnectivitySignals } from "./connectivity";
import { tripwire, withDeadline } from "../shared/timeouts";
import { Emitter } from "../shared/emitter";
import { resolveEndpoints } from "./endpoints";
import {
  connectionLostError,
  isRetryable,
  isWorthAnotherAddress,
  noAnswerError,
  startTimeoutError,
  tlsRequiredError,
  toWrenError,
} from "./errors";
import { parseJid, requireBareJid, toBareJid, type JidParts } from "./jid";
import { Liveness } from "./liveness";
import { chatMessagesToResend, type Outbox } from "./outbox";
import { PresenceBook } from "./presence";
import { probeServer } from "./probe";
import { Reconnector } from "./reconnector";
import { Roster } from "./roster";
import type { MechanismPin } from "./sasl/choose-mechanism";
import { NS_ROSTER } from "./stanzas/namespaces";
import { buildPresence, parsePresence } from "./stanzas/presence";
import {
  captureResumption,
  countEveryStanza,
  onceResumed,
  restoreResumption,
  type Resumption,
} from "./stream-resumption";
import { RedirectError } from "./transport/see-other-host";

/** connect + TLS + SASL + bind + roster + initial presence must finish within this. */
export const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_BODY = 100_000;
const MAX_STATUS = 1024;
/** see-other-host hops followed in one sign-in, so two servers cannot bounce us forever. */
const MAX_REDIRECTS = 3;

export function createSession(options: SessionOptions): XmppSession {
  return new Session(options);
}

class Session implements XmppSession {
  readonly jid: string;
  readonly #account: JidParts;
  readonly #options: SessionOptions;
  readonly #resource: string;
  readonly #events = new Emitter<SessionEvents>();
  readonly #roster: Roster;
  readonly #presence: PresenceBook;
  readonly #chat: Chat;
  readonly #clock: Clock;
  readonly #signals: ConnectivitySignals;
  readonly #reconnector: Reconnector;

  #state: SessionState;
  #own: { show: Show; status: string } = { show: "online", status: "" };
  /** The live connection; handlers of any other entity are stale and do nothing. */
  #entity: Client | null = null;
  /** Bumped by every start(), reconnect attempt and stop(), so a superseded attempt notices. */
  #generation = 0;
  /** Watches the live connection for a silent death; null while not online. */
  #liveness: Liveness | null = null;
  #foreground = true;
  /** Unsubscribes from the connectivity signals; empty while not signed in. */
  #unsubscribe: (() => void)[] = [];
  /** XEP-0198 state of the lost stream, kept until a reconnect resumed it or replaced it. */
  #resumption: Resumption | null = null;
  /** The strongest SASL mechanism seen for this account (see sasl/choose-mechanism). */
  #mechanismPin: MechanismPin | null;
  /** The FAST token to try at the next sign-in (XEP-0484). */
  #fastToken: FastToken | null;
  /** How the live (or last) connection authenticated; shown in the account's state. */
  #security: ConnectionSecurity | null = null;

  constructor(options: SessionOptions) {
    this.jid = requireBareJid(options.jid);
    this.#account = parseJid(this.jid) as JidParts;
    if (!this.#account.local) {
      throw new WrenError("invalid-argument", "Enter an address like name@example.org.");
    }
    if (!options.password && !options.clientCertificate) {
      throw new WrenError("invalid-argument", "Enter your password.");
    }
    this.#options = options;
    this.#resource = options.resource || `wren-${randomBytes(4).toString("hex")}`;
    this.#state = { state: "offline", jid: this.jid, error: null };
    this.#mechanismPin = options.security?.mechanismPin ?? null;
    this.#fastToken = options.fastToken ?? null;

    const outbox = () => this.#outbox();
    this.#roster = new Roster({
      account: this.jid,
      outbox,
      onChange: (change) => this.#events.emit("roster", change),
      onRequest: (jid) => this.#events.emit("subscriptionRequest", jid),
      onRequestResolved: (jid) => this.#events.emit("subscriptionRequestResolved", jid),
    });
    this.#presence = new PresenceBook(this.jid);
    this.#chat = new Chat({
      outbox,
      onMessage: (message) => this.#events.emit("message", message),
    });
    this.#clock = options.clock ?? systemClock;
    this.#signals = options.signals ?? noSignals;
    this.#reconnector = new Reconnector({
      clock: this.#clock,
      backoff: new Backoff(options.backoff),
      attempt: () => this.#reconnect(),
      onWaiting: (_delay, error) => this.#setState("connecting", error.toUserError()),
      onGiveUp: (error) => this.#giveUp(error),
    });
  }

  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  state(): SessionState {
    const { error, security } = this.#state;
    return {
      ...this.#state,
      error: error && { ...error },
      ...(security && { security: { ...security } }),
    };
  }

  rosterItems(): RosterItem[] {
    return this.#roster.items().map((item) => ({ ...item, groups: [...item.groups] }));
  }

  contactPresences(): ContactPresence[] {
    return this.#presence.all();
  }

  subscriptionRequests(): string[] {
    return this.#roster.requests();
  }

  ownPresence(): { show: Show; status: string } {
    return { ...this.#own };
  }

  async start(): Promise<void> {
    const current = this.#state.state;
    if (current === "connecting" || current === "online") {
      throw new WrenError("already-signed-in", `${this.jid} is already signed in.`);
    }
    const generation = ++this.#generation;
    this.#setState("connecting", null);
    this.#roster.clearRequests();

    try {
      await withDeadline(this.#connect(generation), START_TIMEOUT_MS, () =>
        startTimeoutError(this.#account.domain, START_TIMEOUT_MS / 1000),
      );
      this.#assertCurrent(generation);
      this.#setState("online", null);
      this.#reconnector.connected();
      this.#subscribeSignals();
      this.#watchLiveness();
    } catch (error) {
      if (generation !== this.#generation) {
        throw new WrenError("not-signed-in", "Signing in was cancelled.");
      }
      const failure = toWrenError(error, { domain: this.#account.domain });
      this.#generation++; // after a timeout, the attempt may still be running: make it stop there
      this.#abandon();
      this.#setState("error", failure.toUserError());
      throw failure;
    }
  }

  async stop(): Promise<void> {
    this.#generation++;
    this.#reconnector.stop();
    this.#unsubscribeSignals();
    this.#stopLiveness();
    this.#resumption = null;
    const entity = this.#entity;
    this.#entity = null;
    if (entity) {
      try {
        await withDeadline(entity.stop(), STOP_TIMEOUT_MS, () => new Error("stop timed out"));
      } catch {
        // Closing politely failed; the socket is dropped below either way.
      } finally {
        destroySocket(entity);
      }
    }
    this.#forgetPresence();
    this.#setState("offline", null);
  }

  reconnectNow(): void {
    if (this.#state.state === "online") this.#liveness?.probeNow();
    else this.#reconnector.retryNow();
  }

  async setPresence(show: Show, status: string): Promise<void> {
    this.#own = { show, status: status.slice(0, MAX_STATUS) };
    this.#events.emit("ownPresence", this.ownPresence());
    // Offline, it is remembered and becomes the initial presence of the next sign-in.
    if (this.#entity && this.#state.state === "online") {
      await this.#command(() =>
        this.#outbox().send(buildPresence(show, this.#own.status, this.#options.priority)),
      );
    }
  }

  async addContact(jid: string, name?: string): Promise<void> {
    const bare = requireBareJid(jid);
    if (bare === this.jid) {
      throw new WrenError("invalid-argument", "That is your own address.");
    }
    await this.#command(() => this.#roster.add(bare, name?.trim() || undefined));
  }

  async approveSubscription(jid: string): Promise<void> {
    const bare = requireBareJid(jid);
    await this.#command(() => this.#roster.approve(bare));
  }

  async denySubscription(jid: string): Promise<void> {
    const bare = requireBareJid(jid);
    await this.#command(() => this.#roster.deny(bare));
  }

  async sendMessage(to: string, body: string): Promise<ChatMessage> {
    const target = parseJid(to.trim());
    const peer = toBareJid(to.trim());
    if (!target || !peer) {
      throw new WrenError("invalid-argument", `“${to}” is not an address like name@example.org.`);
    }
    if (body.length === 0 || body.length > MAX_BODY) {
      throw new WrenError(
        "invalid-argument",
        "A message must have between 1 and 100,000 characters.",
      );
    }
    const address = target.resource ? `${peer}/${target.resource}` : peer;
    return this.#command(() => this.#chat.send(address, peer, body));
  }

  history(peer: string, before: number | undefined, limit: number): ChatMessage[] {
    return this.#chat.history(toBareJid(peer) ?? peer, before, limit);
  }

  // ---- connecting -------------------------------------------------------------------------

  /** Resolves with true when it resumed the lost stream (XEP-0198) instead of starting anew. */
  async #connect(generation: number): Promise<boolean> {
    const { host, port, directTls } = this.#options;
    const services = await resolveEndpoints({
      domain: this.#account.domain,
      host,
      port,
      directTls,
    });
    let last: WrenError | null = null;
    let redirects = 0;
    for (let service = services.shift(); service; service = services.shift()) {
      this.#assertCurrent(generation);
      try {
        return await this.#connectTo(service, generation);
      } catch (error) {
        this.#assertCurrent(generation);
        this.#abandon();
        // see-other-host within the account's domain (guarded in transport/see-other-host.ts).
        if (error instanceof RedirectError && redirects++ < MAX_REDIRECTS) {
          services.unshift(error.service);
          continue;
        }
        last = toWrenError(error, { domain: this.#account.domain, host: hostOf(service) });
        if (!isWorthAnotherAddress(last)) throw last;
      }
    }
    throw last ?? connectionLostError();
  }

  async #connectTo(service: string, generation: number): Promise<boolean> {
    const failed = tripwire();
    const entity = createClient({
      local: this.#account.local,
      domain: this.#account.domain,
      password: this.#options.clientCertificate ? "" : (this.#options.password ?? ""),
      clientCertificate: this.#options.clientCertificate ?? null,
      resource: this.#resource,
      service,
      trustedCertificate: this.#options.security?.trustedCertificate ?? null,
      mechanismPin: this.#mechanismPin,
      onInsecure: failed.trip,
      onAuthenticated: (outcome) => this.#authenticated(entity, outcome),
      fast: {
        token: this.#fastToken,
        onToken: (token) => {
          this.#fastToken = token;
          this.#events.emit("fastToken", { ...token });
        },
        onTokenInvalid: () => {
          this.#fastToken = null;
          this.#events.emit("fastToken", null);
        },
      },
      userAgentId: this.#options.userAgentId,
    });
    countEveryStanza(entity);
    const resumption = this.#resumption;
    if (resumption) restoreResumption(entity, resumption);
    this.#entity = entity;
    this.#listen(entity, failed.trip);

    // Each step also ends the attempt when it fails, or when stop()/start() superseded it meanwhile.
    const step = async <T>(work: Promise<T>) => {
      const result = await Promise.race([work, failed.promise]);
      this.#assertCurrent(generation);
      return result;
    };
    // entity.start() would do these three, but it creates its "online" promise before opening the
    // stream and leaves it unhandled when the stream fails early; failures reach us via `failed`.
    // A resumed stream does not bind again, so it never emits "online".
    const online = new Promise<boolean>((resolve) => {
      entity.once("online", () => resolve(false));
      onceResumed(entity, () => resolve(true));
    });
    await step(entity.connect(service));
    await step(entity.open({ domain: this.#account.domain }));
    const resumed = await step(online);
    if (!entity.isSecure()) throw tlsRequiredError(this.#account.domain);
    this.#requireOwnJid(entity);
    // Resumed: the server kept roster, presence and our unacknowledged stanzas' place in line
    // (xmpp.js sent those again). Otherwise this is a new session and we start it from scratch.
    if (resumed) return true;
    await step(this.#roster.fetch());
    this.#forgetPresence(); // what we knew is stale; the server sends it all after our presence
    await step(
      entity.send(buildPresence(this.#own.show, this.#own.status, this.#options.priority)),
    );
    // The server handles our stanzas in order: once it answers this, our presence is in effect, so
    // messages sent to us from here on are delivered live, not stored offline and marked delayed.
    await step(probeServer(entity, this.#account.domain, new AbortController().signal));
    for (const message of chatMessagesToResend(resumption?.queue ?? [], this.jid)) {
      await step(entity.send(message));
    }
    return false;
  }

  /**
   * The server decides which account we are signed in as (with a client certificate, from the
   * certificate): anything but this account's JID must not go on as if it were this account.
   */
  #requireOwnJid(entity: Client): void {
    const bound = entity.jid ? toBareJid(entity.jid.toString()) : null;
    if (bound === this.jid) return;
    throw new WrenError(
      "auth-failed",
      `The server signed you in as ${bound ?? "nobody"}, not ${this.jid}. If you sign in with a certificate, it belongs to another account. Wren disconnected.`,
    );
  }

  #authenticated(entity: Client, outcome: AuthOutcome): void {
    const tls = tlsSocketOf(entity)?.getProtocol() ?? "";
    this.#security = {
      tls,
      mechanism: outcome.mechanism,
      channelBinding: outcome.channelBinding,
      trustedByYou: Boolean(this.#options.security?.trustedCertificate),
      warning: outcome.plainWarning
        ? `The server for ${this.#account.domain} only accepts plain passwords (PLAIN). Your password was sent inside the encrypted connection, but the server sees it as is and cannot prove it knows it.`
        : null,
    };
    const pin = outcome.pin;
    const old = this.#mechanismPin;
    if (!old || old.mechanism !== pin.mechanism || old.channelBinding !== pin.channelBinding) {
      this.#mechanismPin = pin;
      this.#events.emit("mechanismPinned", { ...pin });
    }
  }

  /** One attempt of the reconnector. Rejects with a WrenError; the reconnector decides what next. */
  async #reconnect(): Promise<void> {
    const generation = ++this.#generation;
    let resumed: boolean;
    try {
      resumed = await withDeadline(this.#connect(generation), START_TIMEOUT_MS, () =>
        startTimeoutError(this.#account.domain, START_TIMEOUT_MS / 1000),
      );
      this.#assertCurrent(generation);
    } catch (error) {
      if (generation !== this.#generation) {
        throw new WrenError("not-signed-in", "Reconnecting was cancelled.");
      }
      this.#generation++;
      this.#abandon();
      throw toWrenError(error, this.#errorContext());
    }
    this.#resumption = null;
    this.#setState("online", null);
    this.#watchLiveness();
    this.#events.emit("reconnected", { resumed });
  }

  /** Wires one entity. Every handler first checks that the entity is still the live one. */
  #listen(entity: Client, failStart: (error: unknown) => void): void {
    const live = () => entity === this.#entity;
    let lastError: unknown = null;

    // Always listening: an 'error' event without a listener would crash the process.
    entity.on("error", (error: unknown) => {
      if (!live()) return;
      if (this.#state.state === "connecting") return failStart(error);
      lastError = error;
      if (isStreamError(error)) this.#lose(entity, toWrenError(error, this.#errorContext()));
    });

    // Deferred a turn: when the server sends an error and closes at once, the error (say a
    // STARTTLS <failure/>, handled in a promise chain) is the better explanation, so let it land.
    const onClosed = () =>
      setImmediate(() => {
        if (!live()) return;
        const error = lastError
          ? toWrenError(lastError, this.#errorContext())
          : connectionLostError();
        if (this.#state.state === "connecting") failStart(error);
        else this.#lose(entity, error);
      });
    entity.on("close", onClosed);
    entity.on("disconnect", onClosed);

    // Anything from the server shows the link is alive.
    entity.on("element", () => {
      if (live()) this.#liveness?.activity();
    });

    entity.on("stanza", (stanza: Element) => {
      if (!live()) return;
      try {
        this.#onStanza(stanza);
      } catch {
        // A stanza we fail to handle must not take the connection down.
      }
    });

    // Roster pushes. Returning nothing makes xmpp.js answer <service-unavailable/>, which is what
    // a push from anyone but our own server gets (RFC 6121 §2.1.6).
    entity.iqCallee.set(NS_ROSTER, "query", (ctx) =>
      live() && this.#roster.handlePush(ctx.stanza) ? true : undefined,
    );
  }

  #onStanza(stanza: Element): void {
    if (stanza.is("message")) {
      this.#chat.handleMessage(stanza);
      return;
    }
    if (!stanza.is("presence")) return;
    const update = parsePresence(stanza);
    if (!update) return;
    if (update.kind === "subscription") {
      this.#roster.handleSubscription(update.jid, update.type);
      return;
    }
    const changed = this.#presence.apply(update);
    if (changed) this.#events.emit("presence", [changed]);
  }

  /** The connection died while online: reconnect, unless only the person can fix the cause. */
  #lose(entity: Client, error: WrenError): void {
    if (entity !== this.#entity || this.#state.state !== "online") return;
    const resumption = captureResumption(entity);
    this.#abandon();
    if (!isRetryable(error)) {
      this.#reconnector.stop();
      this.#giveUp(error);
      return;
    }
    this.#resumption = resumption;
    // A resumable session keeps its presence on the server; a new one will learn it again.
    if (!resumption) this.#forgetPresence();
    this.#reconnector.lost(error);
  }

  /** Stays offline with an error the person has to act on. */
  #giveUp(error: WrenError): void {
    this.#generation++;
    this.#abandon();
    this.#resumption = null;
    this.#unsubscribeSignals();
    this.#forgetPresence();
    this.#setState("error", error.toUserError());
  }

  #watchLiveness(): void {
    const entity = this.#entity;
    if (!entity) return;
    this.#stopLiveness();
    const liveness = new Liveness({
      clock: this.#clock,
      timings: this.#options.liveness,
      foreground: this.#foreground,
      probe: (signal) => probeServer(entity, this.#account.domain, signal),
      onDead: () => this.#lose(entity, noAnswerError(this.#account.domain)),
    });
    this.#liveness = liveness;
    liveness.start();
  }

  #stopLiveness(): void {
    this.#liveness?.stop();
    this.#liveness = null;
  }

  #subscribeSignals(): void {
    if (this.#unsubscribe.length > 0) return;
    const wake = () => this.reconnectNow();
    this.#unsubscribe = [
      this.#signals.onNetworkUp(wake),
      this.#signals.onResume(wake),
      this.#signals.onForegroundChange((foreground) => {
        this.#foreground = foreground;
        this.#liveness?.setForeground(foreground);
      }),
    ];
  }

  #unsubscribeSignals(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** Drops the live connection at once. Its handlers go quiet; its 'error' listener stays. */
  #abandon(): void {
    this.#stopLiveness();
    const entity = this.#entity;
    this.#entity = null;
    if (entity) destroySocket(entity);
  }

  #forgetPresence(): void {
    const offline = this.#presence.clear();
    if (offline.length > 0) this.#events.emit("presence", offline);
  }

  // ---- helpers ----------------------------------------------------------------------------

  #outbox(): Outbox {
    const entity = this.#entity;
    if (!entity) throw new WrenError("not-signed-in", "Sign in first.");
    return {
      send: (stanza) => entity.send(stanza),
      request: (iq) => entity.iqCaller.request(iq, REQUEST_TIMEOUT_MS),
    };
  }

  async #command<T>(work: () => Promise<T>): Promise<T> {
    if (this.#state.state !== "online") {
      const reconnecting = this.#reconnector.state;
      if (reconnecting === "waiting" || reconnecting === "attempting") {
        throw new WrenError(
          "not-signed-in",
          "Wren is reconnecting to the server. Try again when it is back online.",
        );
      }
      throw new WrenError("not-signed-in", "Sign in first.");
    }
    try {
      return await work();
    } catch (error) {
      throw toWrenError(error, this.#errorContext());
    }
  }

  #errorContext() {
    return { domain: this.#account.domain };
  }

  #assertCurrent(generation: number): void {
    if (generation !== this.#generation) {
      throw new WrenError("not-signed-in", "Signing in was cancelled.");
    }
  }

  #setState(state: ConnectionState, error: UserError | null): void {
    const security = state === "online" && this.#security ? { ...this.#security } : null;
    this.#state = { state, jid: this.jid, error, ...(security && { security }) };
    this.#events.emit("state", this.state());
  }
}

function isStreamError(error: unknown): boolean {
  return error instanceof Error && error.name === "StreamError";
}

function hostOf(service: string): string {
  try {
    return new URL(service).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return service;
  }
}
