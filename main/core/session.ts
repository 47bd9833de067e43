import { randomBytes } from "node:crypto";
import type { Client } from "@xmpp/client";
import type { ConnectionState, SessionState, UserError } from "../../preload/contract";
import { systemClock } from "../shared/clock";
import { Emitter } from "../shared/emitter";
import { errorName, WrenError } from "../shared/errors";
import { createLogger, type Logger } from "../shared/log";
import { withDeadline } from "../shared/timeouts";
import { Backoff } from "./backoff";
import { connectOnce } from "./connect/connect-once";
import { LinkWatch } from "./connect/link-watch";
import { SignInRecord } from "./connect/sign-in-record";
import { tryEndpoints } from "./connect/try-endpoints";
import { destroySocket } from "./connection";
import { noSignals } from "./connectivity";
import { hostOf, resolveEndpoints } from "./endpoints";
import {
  connectionLostError,
  isRetryable,
  noAnswerError,
  startTimeoutError,
  toWrenError,
} from "./errors";
import { parseJid, requireBareJid, type JidParts } from "./jid";
import { entityOutbox } from "./entity-outbox";
import type { Outbox } from "./outbox";
import { Reconnector } from "./reconnector";
import type { StanzaRouter } from "./router";
import type { ConnectionEvents, SessionOptions } from "./session-api";
import { captureResumption, type Resumption } from "./stream-resumption";

/** connect + TLS + SASL + bind + roster + initial presence must finish within this. */
export const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;
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
  readonly #reconnector: Reconnector;
  readonly #link: LinkWatch;
  readonly #record: SignInRecord;

  #state: SessionState;
  /** The live connection; handlers of any other entity are stale and do nothing. */
  #entity: Client | null = null;
  /** Bumped by every start(), reconnect attempt and stop(), so a superseded attempt notices. */
  #generation = 0;
  /** XEP-0198 state of the lost stream, kept until a reconnect resumed it or replaced it. */
  #resumption: Resumption | null = null;

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
    this.#router = options.router;
    this.#log = options.log ?? createLogger("core/session");
    this.#events = new Emitter<ConnectionEvents>((error) =>
      this.#log.error("a session listener failed", { error: errorName(error) }, error),
    );
    const clock = options.clock ?? systemClock;
    this.#record = new SignInRecord({
      domain: this.#account.domain,
      trustedByYou: Boolean(options.security?.trustedCertificate),
      mechanismPin: options.security?.mechanismPin ?? null,
      fastToken: options.fastToken ?? null,
      onPin: (pin) => this.#events.emit("mechanismPinned", pin),
      onFastToken: (token) => this.#events.emit("fastToken", token),
    });
    this.#link = new LinkWatch({
      clock,
      domain: this.#account.domain,
      signals: options.signals ?? noSignals,
      timings: options.liveness,
      onWake: () => this.reconnectNow(),
    });
    this.#reconnector = new Reconnector({
      clock,
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
      this.#log.info("online", { account: this.jid, ...this.#record.security });
      this.#setState("online", null);
      this.#reconnector.connected();
      this.#link.listen();
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
    this.#link.stopListening();
    this.#link.stopProbing();
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
    if (this.#state.state === "online") this.#link.probeNow();
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
      attempt: (service) =>
        connectOnce({
          service,
          account: this.#account,
          jid: this.jid,
          resource: this.#resource,
          options: this.#options,
          record: this.#record,
          router: this.#router,
          resumption: this.#resumption,
          adopt: (entity, fail) => {
            this.#entity = entity;
            this.#listen(entity, fail);
          },
          assertCurrent: () => this.#assertCurrent(generation),
          outboxOf: (entity) => entityOutbox(entity),
          log: this.#log,
        }),
      toError: (error, service) =>
        toWrenError(error, { domain: this.#account.domain, host: hostOf(service) }),
      check: () => this.#assertCurrent(generation),
      afterFailure: (error) => {
        this.#abandon();
        this.#log.info("a sign-in attempt failed", { account: this.jid, error: errorName(error) });
      },
      maxRedirects: MAX_REDIRECTS,
    });
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
      if (live()) this.#link.activity();
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
    this.#link.stopListening();
    this.#router.offline();
    this.#setState("error", error.toUserError());
  }

  #watchLiveness(): void {
    const entity = this.#entity;
    if (entity)
      this.#link.watch(entity, () => this.#lose(entity, noAnswerError(this.#account.domain)));
  }

  /** Drops the live connection at once. Its handlers go quiet; its 'error' listener stays. */
  #abandon(): void {
    this.#link.stopProbing();
    const entity = this.#entity;
    this.#entity = null;
    if (entity) destroySocket(entity);
  }

  // ---- helpers ----------------------------------------------------------------------------

  #outbox(): Outbox {
    const entity = this.#entity;
    if (!entity) throw new WrenError("not-signed-in", "Sign in first.");
    return entityOutbox(entity);
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
    const security = state === "online" ? this.#record.security : null;
    this.#state = { state, jid: this.jid, error, ...(security && { security }) };
    this.#events.emit("state", this.state());
  }
}

function isStreamError(error: unknown): boolean {
  return error instanceof Error && error.name === "StreamError";
}
