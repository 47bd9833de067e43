import { randomBytes } from "node:crypto";
import type { Client } from "@xmpp/client";
import type {
  ConnectionSecurity,
  ConnectionState,
  SessionState,
  UserError,
} from "../../preload/contract";
import { errorName, WrenError } from "../shared/errors";
import { createLogger, type Logger } from "../shared/log";
import type { ConnectionEvents, SessionOptions } from "./session-api";
import { Backoff } from "./backoff";
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
  noAnswerError,
  startTimeoutError,
  tlsRequiredError,
  toWrenError,
} from "./errors";
import { parseJid, requireBareJid, toBareJid, type JidParts } from "./jid";
import { Liveness } from "./liveness";
import { chatMessagesToResend, type Outbox } from "./outbox";
import { probeServer } from "./probe";
import { Reconnector } from "./reconnector";
import { StanzaGate, type StanzaRouter } from "./router";
import type { MechanismPin } from "./sasl/choose-mechanism";
import {
  captureResumption,
  countEveryStanza,
  onceResumed,
  restoreResumption,
  type Resumption,
} from "./stream-resumption";
import { hostOf } from "./endpoints";
import { tryEndpoints } from "./connect/try-endpoints";
import type { WrenEntity } from "./transport/create-entity";

/** connect + TLS + SASL + bind + roster + initial presence must finish within this. */
export const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** see-other-host hops followed in one sign-in, so two servers cannot bounce us forever. */
const MAX_REDIRECTS = 3;

export interface ConnectionOptions extends Omit<SessionOptions, "state"> {
  /** Where the connection's stanzas go once it is secure, authenticated and bound. */
  router: StanzaRouter;
}

/**
 * One account's connection: connecting (endpoints, TLS, SASL, binding), reconnecting, resuming
 * and watching the link. What arrives goes to the router's features; this knows none of them.
 */
export class Session {
  readonly jid: string;
  readonly #account: JidParts;
  readonly #options: ConnectionOptions;
  readonly #resource: string;
  readonly #events: Emitter<ConnectionEvents>;
  readonly #router: StanzaRouter;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #signals: ConnectivitySignals;
  readonly #reconnector: Reconnector;

  #state: SessionState;
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

  constructor(options: ConnectionOptions) {
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
    this.#router = options.router;
    this.#log = options.log ?? createLogger("core/session");
    this.#events = new Emitter<ConnectionEvents>((error) =>
      this.#log.error("a session listener failed", { error: errorName(error) }, error),
    );
    this.#clock = options.clock ?? systemClock;
    this.#signals = options.signals ?? noSignals;
    this.#reconnector = new Reconnector({
      clock: this.#clock,
      backoff: new Backoff(options.backoff),
      attempt: () => this.#reconnect(),
      onWaiting: (delay, error) => {
        this.#log.info("reconnecting later", {
          account: this.jid,
          delayMs: delay,
          code: error.code,
        });
        this.#setState("connecting", error.toUserError());
      },
      onGiveUp: (error) => {
        this.#log.info("gave up reconnecting", { account: this.jid, code: error.code });
        this.#giveUp(error);
      },
    });
  }

  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  /** Where features send while online; null while there is no verified, bound connection. */
  outbox(): Outbox | null {
    return this.#state.state === "online" && this.#entity ? this.#outbox() : null;
  }

  /** Runs a command that needs the connection, with a readable error when there is none. */
  async command<T>(work: () => Promise<T>): Promise<T> {
    return this.#command(work);
  }

  state(): SessionState {
    const { error, security } = this.#state;
    return {
      ...this.#state,
      error: error && { ...error },
      ...(security && { security: { ...security } }),
    };
  }

  async start(): Promise<void> {
    const current = this.#state.state;
    if (current === "connecting" || current === "online") {
      throw new WrenError("already-signed-in", `${this.jid} is already signed in.`);
    }
    const generation = ++this.#generation;
    this.#log.info("signing in", { account: this.jid });
    this.#setState("connecting", null);

    try {
      await withDeadline(this.#connect(generation), START_TIMEOUT_MS, () =>
        startTimeoutError(this.#account.domain, START_TIMEOUT_MS / 1000),
      );
      this.#assertCurrent(generation);
      this.#log.info("online", { account: this.jid, ...this.#security });
      this.#setState("online", null);
      this.#reconnector.connected();
      this.#subscribeSignals();
      this.#watchLiveness();
    } catch (error) {
      if (generation !== this.#generation) {
        throw new WrenError("not-signed-in", "Signing in was cancelled.");
      }
      const failure = toWrenError(error, { domain: this.#account.domain });
      this.#log.info("signing in failed", { account: this.jid, code: failure.code });
      this.#generation++; // after a timeout, the attempt may still be running: make it stop there
      this.#abandon();
      this.#setState("error", failure.toUserError());
      throw failure;
    }
  }

  async stop(): Promise<void> {
    this.#generation++;
    if (this.#state.state !== "offline") this.#log.info("signing out", { account: this.jid });
    this.#reconnector.stop();
    this.#unsubscribeSignals();
    this.#stopLiveness();
    this.#resumption = null;
    const entity = this.#entity;
    this.#entity = null;
    if (entity) {
      try {
        await withDeadline(entity.stop(), STOP_TIMEOUT_MS, () => new Error("stop timed out"));
      } catch (error) {
        // Closing politely failed; the socket is dropped below either way.
        this.#log.info("could not close the stream politely", { error: errorName(error) });
      } finally {
        destroySocket(entity);
      }
    }
    this.#router.offline();
    this.#setState("offline", null);
  }

  reconnectNow(): void {
    if (this.#state.state === "online") this.#liveness?.probeNow();
    else this.#reconnector.retryNow();
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
    return tryEndpoints(services, {
      attempt: (service) => this.#connectTo(service, generation),
      toError: (error, service) =>
        toWrenError(error, { domain: this.#account.domain, host: hostOf(service) }),
      check: () => this.#assertCurrent(generation),
      afterFailure: (error) => {
        this.#abandon();
        this.#log.info("trying the next address", { account: this.jid, error: errorName(error) });
      },
      maxRedirects: MAX_REDIRECTS,
    });
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
      onAuthenticated: (outcome) => {
        this.#authenticated(entity, outcome);
        gate.hold();
      },
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
    const gate = new StanzaGate();
    this.#router.attach(entity as WrenEntity, gate);
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
    // Secure, authenticated, bound and ours: from here on the features may hear this stream.
    gate.open();
    this.#log.info(resumed ? "stream resumed" : "stream bound", { account: this.jid });
    // Resumed: the server kept roster, presence and our unacknowledged stanzas' place in line
    // (xmpp.js sent those again). Otherwise this is a new session and the features start afresh.
    await step(this.#router.online({ resumed }, this.#entityOutbox(entity)));
    if (resumed) return true;
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
    this.#log.info("reconnected", { account: this.jid, resumed });
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
      this.#log.info("connection error", { account: this.jid, error: errorName(error) });
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
  }

  /** The connection died while online: reconnect, unless only the person can fix the cause. */
  #lose(entity: Client, error: WrenError): void {
    if (entity !== this.#entity || this.#state.state !== "online") return;
    const resumption = captureResumption(entity);
    this.#log.info("connection lost", {
      account: this.jid,
      code: error.code,
      resumable: resumption !== null,
    });
    this.#abandon();
    if (!isRetryable(error)) {
      this.#reconnector.stop();
      this.#giveUp(error);
      return;
    }
    this.#resumption = resumption;
    // A resumable session keeps its presence on the server; a new one will learn it again.
    if (!resumption) this.#router.offline();
    this.#reconnector.lost(error);
  }

  /** Stays offline with an error the person has to act on. */
  #giveUp(error: WrenError): void {
    this.#generation++;
    this.#abandon();
    this.#resumption = null;
    this.#unsubscribeSignals();
    this.#router.offline();
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

  // ---- helpers ----------------------------------------------------------------------------

  #outbox(): Outbox {
    const entity = this.#entity;
    if (!entity) throw new WrenError("not-signed-in", "Sign in first.");
    return this.#entityOutbox(entity);
  }

  #entityOutbox(entity: Client): Outbox {
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
