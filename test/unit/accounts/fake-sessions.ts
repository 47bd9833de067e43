import type { SessionState } from "../../../preload/contract";
import { WrenError } from "../../../main/shared/errors";
import { Emitter } from "../../../main/shared/emitter";
import type {
  CreateSession,
  SessionEvents,
  SessionOptions,
  XmppSession,
} from "../../../main/core/session-api";
import type { CredentialStore } from "../../../main/credentials/credential-store";
import { createMemoryStore } from "../../../main/credentials/memory-store";

/**
 * How a fake session's start() goes: "ok" signs in, "auth-failed" rejects like a wrong password,
 * "manual" waits for the test to call finish(), "hostile" throws or rejects from every method.
 */
export type Behaviour = "ok" | "auth-failed" | "manual" | "hostile";

export class FakeSession implements XmppSession {
  readonly jid: string;
  readonly events = new Emitter<SessionEvents>();
  starts = 0;
  stops = 0;
  reconnectNows = 0;
  #state: SessionState;
  #pending: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  constructor(
    readonly options: SessionOptions,
    readonly behaviour: Behaviour,
  ) {
    this.jid = options.jid;
    this.#state = { state: "offline", jid: this.jid, error: null };
  }

  /** Ends a "manual" start: signed in, or failed with `error`. */
  finish(error?: WrenError): void {
    const pending = this.#pending;
    this.#pending = null;
    if (!pending) throw new Error("no start is waiting");
    if (error) {
      this.#set({ state: "error", jid: this.jid, error: error.toUserError() });
      pending.reject(error);
    } else {
      this.#set({ state: "online", jid: this.jid, error: null });
      pending.resolve();
    }
  }

  /** The server dropped us: the session would now reconnect on its own. */
  lose(): void {
    this.#set({ state: "connecting", jid: this.jid, error: null });
  }

  emitMessage(body: string): void {
    this.events.emit("message", {
      id: `m-${body}`,
      peer: "peer@example.org",
      direction: "in",
      body,
      timestamp: 1,
      delayed: false,
      state: "received",
    });
  }

  async start(): Promise<void> {
    this.starts++;
    if (this.behaviour === "hostile") throw new TypeError("hostile start");
    const now = this.#state.state;
    if (now === "online" || now === "connecting") {
      throw new WrenError("already-signed-in", `${this.jid} is already signed in.`);
    }
    this.#set({ state: "connecting", jid: this.jid, error: null });
    if (this.behaviour === "auth-failed") {
      const error = new WrenError("auth-failed", "The server rejected the address or password.");
      this.#set({ state: "error", jid: this.jid, error: error.toUserError() });
      throw error;
    }
    if (this.behaviour === "manual") {
      return new Promise((resolve, reject) => (this.#pending = { resolve, reject }));
    }
    this.#set({ state: "online", jid: this.jid, error: null });
  }

  async stop(): Promise<void> {
    this.stops++;
    if (this.behaviour === "hostile") throw new TypeError("hostile stop");
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(new WrenError("not-signed-in", "Signing in was cancelled."));
    this.#set({ state: "offline", jid: this.jid, error: null });
  }

  reconnectNow(): void {
    this.reconnectNows++;
    if (this.behaviour === "hostile") throw new TypeError("hostile reconnectNow");
  }

  state(): SessionState {
    if (this.behaviour === "hostile") throw new TypeError("hostile state");
    return { ...this.#state };
  }

  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void {
    if (this.behaviour === "hostile") throw new TypeError("hostile on");
    return this.events.on(event, listener);
  }

  rosterItems = () => [];
  contactPresences = () => [];
  subscriptionRequests = () => [];
  ownPresence = () => ({ show: "online" as const, status: "" });
  setPresence = async () => {};
  addContact = async () => {};
  approveSubscription = async () => {};
  denySubscription = async () => {};
  sendMessage = async (): Promise<never> => {
    throw new WrenError("not-signed-in", "fake");
  };
  history = async () => [];

  #set(state: SessionState): void {
    this.#state = state;
    this.events.emit("state", { ...state });
  }
}

/** A CreateSession whose sessions behave as `behaviours` says per JID ("ok" otherwise). */
export function fakeSessions(behaviours: Record<string, Behaviour | "throws"> = {}) {
  const created: FakeSession[] = [];
  const createSession: CreateSession = (options) => {
    const behaviour = behaviours[options.jid] ?? "ok";
    if (behaviour === "throws") throw new TypeError("createSession exploded");
    const session = new FakeSession(options, behaviour);
    created.push(session);
    return session;
  };
  return {
    createSession,
    created,
    /** The newest session made for `jid`. */
    latest(jid: string): FakeSession {
      const session = created.filter((s) => s.jid === jid).at(-1);
      if (!session) throw new Error(`no session for ${jid}`);
      return session;
    },
  };
}

/** The real memory store, with every call recorded (without the secret). */
export function recordingStore(
  fail: Partial<Record<"get" | "set" | "delete", boolean>> = {},
): CredentialStore & { calls: string[]; inner: CredentialStore } {
  const inner = createMemoryStore();
  const calls: string[] = [];
  const broken = () => new WrenError("not-available", "Wren could not reach your system keychain.");
  return {
    kind: "keychain",
    calls,
    inner,
    async get(id) {
      calls.push(`get ${id}`);
      if (fail.get) throw broken();
      return inner.get(id);
    },
    async set(id, secret) {
      calls.push(`set ${id}`);
      if (fail.set) throw broken();
      return inner.set(id, secret);
    },
    async delete(id) {
      calls.push(`delete ${id}`);
      if (fail.delete) throw broken();
      return inner.delete(id);
    },
  };
}
