import { createHash, randomBytes } from "node:crypto";
import type { ConnectionState, SessionState, UserError } from "../../preload/contract";
import { asWrenError, errorName, WrenError } from "../shared/errors";
import { Backoff, type BackoffOptions } from "../core/backoff";
import { systemClock, type Clock } from "../shared/clock";
import { Emitter } from "../shared/emitter";
import { isRetryable } from "../core/errors";
import { requireBareJid } from "../core/jid";
import {
  parseClientCertificate,
  serializeClientCertificate,
  type ClientCertificate,
} from "../core/auth/client-certificate";
import type { FastToken } from "../core/auth/fast-token";
import { AccountState } from "../core/account-state";
import { CapsCache } from "../core/features/disco";
import type { MechanismPin } from "../core/sasl/choose-mechanism";
import { sameFingerprint } from "../core/transport/certificate";
import type {
  CreateSession,
  SessionEvents,
  SessionOptions,
  XmppSession,
} from "../core/session-api";
import type { CredentialStore } from "../credentials/credential-store";
import { withTimeout } from "../shared/timeouts";
import { createLogger, type Logger } from "../shared/log";
import type {
  AccountChanges,
  AccountManager,
  AccountManagerEvents,
  AccountSummary,
  LoadReport,
  NewAccount,
} from "./account-manager-api";
import { checkConnectionFields, checkPassword, withFields } from "./account-input";
import { createLimiter, createSerialQueue } from "./serial";
import {
  load as loadSettings,
  save as saveSettings,
  SETTINGS_VERSION,
  type AccountSettings,
} from "./settings-file";

export type * from "./account-manager-api";

export interface AccountManagerOptions {
  /** accounts.json in the app-data folder. */
  settingsPath: string;
  /** Where saved passwords live, chosen by the user (see chooseStore). */
  credentials: CredentialStore;
  createSession: CreateSession;
  log?: Logger;
  /** Sign-ins running at the same moment; SCRAM costs CPU, so a few at a time. Default 2. */
  maxConcurrentSignIns?: number;
  /**
   * Deletes what Wren keeps locally for a removed account (history, caches). Nothing is kept yet;
   * this is where it will be cleaned up. A failure is logged and does not stop the removal.
   */
  removeLocalData?: (accountId: string) => Promise<void>;
  /**
   * Timers for retrying a sign-in that failed for a reason time can fix (no network yet at start,
   * a server restarting). Once online, the session reconnects by itself; this covers the first one.
   */
  clock?: Clock;
  backoff?: Partial<BackoffOptions>;
}

/** What the manager knows about one account. */
interface Entry {
  settings: AccountSettings;
  /** Known for this run (typed, or read from the credential store); never logged or returned. */
  password: string | null;
  session: XmppSession | null;
  detach: (() => void)[];
  /** Why there is no session: no password, the saved one could not be read, it could not be made. */
  problem: UserError | null;
  /** Operations on this account, one at a time. */
  serial: <T>(work: () => Promise<T>) => Promise<T>;
  removed: boolean;
  /** A sign-in that failed for a passing reason is tried again on this schedule. */
  retry: { backoff: Backoff; timer: unknown } | null;
  /** XEP-0484 FAST token; kept where the password is (memory only when that is nowhere). */
  fastToken: FastToken | null;
  /** Roster, presence and conversations: every session of the account plugs into this one. */
  state: AccountState;
  /**
   * While the account is being added: what its first sign-in reported, told once it is added, so
   * the roster and requests of a first sign-in reach the page instead of being lost.
   */
  held: (() => void)[] | null;
}

/** What an operation hands back from inside its account's queue: a sign-in to await outside it. */
interface Then {
  wait: Promise<void>;
}
const DONE: Then = { wait: Promise.resolve() };

const STOP_GUARD_MS = 15_000;
const ACTIVE: ReadonlySet<ConnectionState> = new Set(["online", "connecting"]);

export function createAccountManager(options: AccountManagerOptions): AccountManager {
  const { settingsPath, credentials, createSession } = options;
  const log = options.log ?? createLogger("app/accounts");
  const events = new Emitter<AccountManagerEvents>((error) =>
    log.warn("an accounts listener failed", errorName(error)),
  );
  const signIns = createLimiter(options.maxConcurrentSignIns ?? 2);
  const clock = options.clock ?? systemClock;
  const settingsQueue = createSerialQueue();
  const entries = new Map<string, Entry>();
  /** What contacts' software can do, by XEP-0115 hash: the same for every account. */
  const capsCache = new CapsCache();
  /** JIDs being added right now, so two adds of one address cannot both succeed. */
  const adding = new Set<string>();
  /** The accounts as last saved (or loaded); every save starts from these. */
  let committed: AccountSettings[] = [];
  let loaded = false;
  let disposed = false;

  // --- small safe wrappers: a session is never trusted not to throw ---

  const emit: typeof events.emit = (event, ...args) => {
    if (!disposed) events.emit(event, ...args);
  };

  function stateOf(entry: Entry): SessionState {
    const jid = entry.settings.jid;
    if (entry.session) {
      try {
        const state = entry.session.state();
        return {
          state: state.state,
          jid,
          error: state.error ? { ...state.error } : null,
          ...(state.security && { security: { ...state.security } }),
        };
      } catch (error) {
        log.warn("a session could not tell its state", { accountId: entry.settings.id });
        return { state: "error", jid, error: asWrenError(error).toUserError() };
      }
    }
    return { state: "offline", jid, error: entry.settings.enabled ? entry.problem : null };
  }

  function summary(entry: Entry): AccountSummary {
    return {
      id: entry.settings.id,
      jid: entry.settings.jid,
      enabled: entry.settings.enabled,
      state: stateOf(entry),
      needsPassword: entry.password === null,
      settings: { ...entry.settings },
    };
  }

  function emitState(entry: Entry): void {
    if (entry.removed) return;
    emit("accounts", { kind: "state", accountId: entry.settings.id, account: summary(entry) });
  }

  /** Tells listeners about the account now, or once it is added when it is being added. */
  function tell(entry: Entry, report: () => void): void {
    if (entry.held) entry.held.push(report);
    else report();
  }

  function lookup(id: string): Entry {
    const entry = entries.get(id);
    if (!entry || entry.removed) throw noSuchAccount();
    return entry;
  }

  /** Runs `work` in the account's queue, then waits (outside the queue) for the sign-in it began. */
  async function operate(entry: Entry, work: () => Promise<Then>): Promise<void> {
    const then = await entry.serial(async () => {
      if (entry.removed) throw noSuchAccount();
      try {
        return await work();
      } catch (error) {
        throw asWrenError(error);
      }
    });
    await then.wait;
  }

  /** Saves the accounts file with `change` applied to what was last saved, one save at a time. */
  function persist(change: (accounts: AccountSettings[]) => AccountSettings[]): Promise<void> {
    return settingsQueue(async () => {
      const accounts = change(committed.map((account) => ({ ...account })));
      await saveSettings(settingsPath, { version: SETTINGS_VERSION, accounts });
      committed = accounts;
    });
  }

  function requireLoaded(): void {
    if (!loaded) {
      // Saving before loading would replace the file the person already has.
      throw new WrenError("internal", "Wren has not read its account settings yet.");
    }
  }

  // --- sessions ---

  /** `secret` is the password, or the stored client certificate of a certificate account. */
  function sessionOptions(
    settings: AccountSettings,
    secret: string,
    state: AccountState,
    fastToken: FastToken | null = null,
  ): SessionOptions {
    return {
      jid: settings.jid,
      state,
      fastToken,
      userAgentId: userAgentIdOf(settings.id),
      ...credentialsFor(settings, secret),
      host: settings.host,
      port: settings.port,
      directTls: settings.directTls,
      resource: settings.resource,
      priority: settings.priority,
      security: {
        ...(settings.trustedCertificate && { trustedCertificate: settings.trustedCertificate }),
        ...(settings.mechanismPin && { mechanismPin: { ...settings.mechanismPin } }),
      },
    };
  }

  /** Keeps a FAST token with the password (or forgets a dead one); never in accounts.json. */
  function rememberFastToken(entry: Entry, token: FastToken | null): void {
    entry.fastToken = token;
    if ((entry.settings.passwordStorage ?? "none") === "none") return;
    const key = fastTokenKey(entry.settings.id);
    const saved = token ? credentials.set(key, JSON.stringify(token)) : credentials.delete(key);
    saved.catch((error: unknown) =>
      log.warn("could not keep the FAST token", {
        accountId: entry.settings.id,
        error: errorName(error),
      }),
    );
  }

  /** Remembers a stronger SASL mechanism the account's server offered (see sasl/choose-mechanism). */
  function rememberPin(entry: Entry, pin: MechanismPin): void {
    const id = entry.settings.id;
    const mechanismPin = { mechanism: pin.mechanism, channelBinding: pin.channelBinding };
    entry.settings = { ...entry.settings, mechanismPin } as AccountSettings;
    persist((accounts) =>
      accounts.map((account) =>
        account.id === id ? ({ ...account, mechanismPin } as AccountSettings) : account,
      ),
    ).catch((error: unknown) =>
      log.warn("could not save the account's mechanism pin", {
        accountId: id,
        error: errorName(error),
      }),
    );
  }

  /** Forwards the session's events, tagged with the account, while it is the account's session. */
  function attach(entry: Entry, session: XmppSession): void {
    const accountId = entry.settings.id;
    const current = () => entry.session === session && !entry.removed;
    const forward = <E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]) => {
      try {
        entry.detach.push(session.on(event, listener));
      } catch (error) {
        log.warn("could not listen to a session", { accountId, event, error: errorName(error) });
      }
    };
    const report = (send: () => void) => {
      if (current()) tell(entry, send);
    };
    forward("state", (state) =>
      report(() => {
        emit("state", { accountId, state: { ...state, jid: entry.settings.jid } });
        emitState(entry);
      }),
    );
    forward("roster", (change) => report(() => emit("roster", { accountId, ...change })));
    forward("presence", (contacts) => report(() => emit("presence", { accountId, contacts })));
    forward("ownPresence", (own) => report(() => emit("ownPresence", { accountId, ...own })));
    forward("message", (message) => report(() => emit("message", { accountId, message })));
    forward("subscriptionRequest", (jid) =>
      report(() => emit("subscriptionRequest", { accountId, jid })),
    );
    forward("subscriptionRequestResolved", (jid) =>
      report(() => emit("subscriptionRequestResolved", { accountId, jid })),
    );
    forward("reconnected", ({ resumed }) =>
      report(() => emit("reconnected", { accountId, resumed })),
    );
    forward("mechanismPinned", (pin) => {
      if (current()) rememberPin(entry, pin);
    });
    forward("fastToken", (token) => {
      if (current()) rememberFastToken(entry, token);
    });
  }

  function detach(entry: Entry): void {
    for (const off of entry.detach.splice(0)) {
      try {
        off();
      } catch {
        // A session that cannot even unsubscribe is ignored from now on anyway (see current()).
      }
    }
  }

  /** The account's session, made now if needed; null (with the reason in `problem`) if it cannot be. */
  function ensureSession(entry: Entry): XmppSession | null {
    if (entry.session) return entry.session;
    if (entry.password === null) {
      entry.problem ??= passwordNeeded(entry.settings.jid);
      return null;
    }
    try {
      const session = createSession(
        sessionOptions(entry.settings, entry.password, entry.state, entry.fastToken),
      );
      entry.session = session;
      entry.problem = null;
      attach(entry, session);
      return session;
    } catch (error) {
      entry.problem = asWrenError(error).toUserError();
      log.warn("could not create a session", { accountId: entry.settings.id });
      return null;
    }
  }

  async function stopQuietly(session: XmppSession, accountId: string): Promise<void> {
    try {
      await withTimeout(
        Promise.resolve().then(() => session.stop()),
        STOP_GUARD_MS,
      );
    } catch (error) {
      log.warn("a session did not stop cleanly", { accountId, error: errorName(error) });
    }
  }

  /** Stops and forgets the account's session (its final "offline" still reaches listeners). */
  async function dropSession(entry: Entry): Promise<void> {
    cancelRetry(entry);
    const session = entry.session;
    if (!session) return;
    await stopQuietly(session, entry.settings.id);
    detach(entry);
    if (entry.session === session) entry.session = null;
  }

  function connectionState(session: XmppSession): ConnectionState {
    try {
      return session.state().state;
    } catch {
      return "error";
    }
  }

  /**
   * Begins signing the account in (unless it is already online or signing in). The promise ends
   * when that attempt ended and never rejects: the outcome is the account's state.
   */
  function beginSignIn(entry: Entry): Promise<void> {
    const session = ensureSession(entry);
    if (!session) {
      emitState(entry);
      return Promise.resolve();
    }
    if (ACTIVE.has(connectionState(session))) return Promise.resolve();
    const accountId = entry.settings.id;
    const current = () =>
      entry.session === session && !entry.removed && entry.settings.enabled && !disposed;
    return signIns(async () => {
      if (!current()) return;
      try {
        await session.start();
        log.info("signed in", { accountId });
        entry.retry = null;
      } catch (error) {
        const failure = asWrenError(error);
        log.info("signing in failed", { accountId, code: failure.code });
        emitState(entry);
        if (current() && isRetryable(failure)) retryLater(entry);
      }
    }).catch(() => undefined);
  }

  function retryLater(entry: Entry): void {
    const backoff = entry.retry?.backoff ?? new Backoff(options.backoff);
    if (entry.retry) clock.clearTimeout(entry.retry.timer);
    const timer = clock.setTimeout(() => {
      if (entry.retry?.timer !== timer) return;
      void beginSignIn(entry);
    }, backoff.next());
    entry.retry = { backoff, timer };
  }

  /** Stops a scheduled retry; the backoff starts over next time. */
  function cancelRetry(entry: Entry): void {
    if (entry.retry) clock.clearTimeout(entry.retry.timer);
    entry.retry = null;
  }

  /** The saved password, or null; a store that fails leaves the reason in `problem`. */
  async function readSavedPassword(entry: Entry): Promise<string | null> {
    if (entry.settings.passwordStorage === "none") return null;
    let secret: string | null;
    try {
      secret = await credentials.get(entry.settings.id);
    } catch (error) {
      entry.problem = asWrenError(error).toUserError();
      log.warn("could not read a saved password", { accountId: entry.settings.id });
      return null;
    }
    // Only a shortcut: without it the password signs in and a new token is asked for.
    if (secret !== null && !entry.fastToken) {
      entry.fastToken = await credentials
        .get(fastTokenKey(entry.settings.id))
        .then(parseFastToken, () => null);
    }
    return secret;
  }

  function newEntry(settings: AccountSettings, password: string | null): Entry {
    return {
      settings,
      password,
      fastToken: null,
      session: null,
      detach: [],
      problem: null,
      serial: createSerialQueue(),
      removed: false,
      retry: null,
      state: new AccountState({ jid: settings.jid, log, capsCache }),
      held: null,
    };
  }

  function reconnectOne(entry: Entry, strict: boolean): Promise<void> {
    return operate(entry, async () => {
      if (!entry.settings.enabled) {
        if (!strict) return DONE;
        throw new WrenError(
          "invalid-argument",
          `${entry.settings.jid} is disabled. Enable it to sign in.`,
        );
      }
      if (entry.password === null) entry.password = await readSavedPassword(entry);
      if (entry.password === null && strict) {
        throw new WrenError("not-signed-in", passwordNeeded(entry.settings.jid).message);
      }
      const session = entry.session;
      if (session && ACTIVE.has(connectionState(session))) {
        try {
          session.reconnectNow();
        } catch (error) {
          log.warn("reconnect failed", { accountId: entry.settings.id, error: errorName(error) });
        }
        return DONE;
      }
      return { wait: beginSignIn(entry) };
    });
  }

  function goOfflineOne(entry: Entry): Promise<void> {
    return operate(entry, async () => {
      cancelRetry(entry);
      if (entry.session) await stopQuietly(entry.session, entry.settings.id);
      emitState(entry);
      return DONE;
    });
  }

  /** Runs `work` for each account; one account's failure is logged and never reaches the others. */
  async function forEach(work: (entry: Entry) => Promise<void>): Promise<void> {
    await Promise.all(
      [...entries.values()].map((entry) =>
        work(entry).catch((error: unknown) =>
          log.warn("an account operation failed", {
            accountId: entry.settings.id,
            code: asWrenError(error).code,
          }),
        ),
      ),
    );
  }

  // --- the manager ---

  const manager: AccountManager = {
    async load(): Promise<LoadReport> {
      if (loaded) throw new WrenError("internal", "The accounts were already loaded.");
      let result;
      try {
        result = await loadSettings(settingsPath);
      } catch (error) {
        throw asWrenError(error);
      }
      loaded = true;
      committed = result.settings.accounts;
      for (const settings of committed) entries.set(settings.id, newEntry({ ...settings }, null));

      // One after another: a keychain may ask the person to unlock it.
      for (const entry of entries.values()) {
        if (entry.settings.enabled) entry.password = await readSavedPassword(entry);
        emit("accounts", { kind: "added", accountId: entry.settings.id, account: summary(entry) });
      }
      for (const entry of entries.values()) {
        if (!entry.settings.enabled) continue;
        void operate(entry, async () => {
          beginSignIn(entry);
          return DONE;
        }).catch(() => undefined);
      }
      const needPassword = [...entries.values()]
        .filter((entry) => entry.settings.enabled && entry.password === null)
        .map((entry) => entry.settings.id);
      if (result.problem) log.warn("the accounts file could not be used", result.problem.kind);
      return result.problem ? { problem: result.problem, needPassword } : { needPassword };
    },

    async add(input: NewAccount): Promise<AccountSummary> {
      try {
        requireLoaded();
        const jid = requireBareJid(String(input.jid ?? ""));
        const secret = input.clientCertificate
          ? serializeClientCertificate(input.clientCertificate)
          : checkPassword(input.password);
        const fields = checkConnectionFields(input);
        if (typeof input.directTls !== "boolean" || typeof input.savePassword !== "boolean") {
          throw new WrenError(
            "invalid-argument",
            "Choose how to connect and whether to save the password.",
          );
        }
        const known = [...entries.values()].some((entry) => entry.settings.jid === jid);
        if (known || adding.has(jid)) {
          throw new WrenError("invalid-argument", `${jid} is already one of your accounts.`);
        }
        const trusted =
          input.trustedCertificate === undefined
            ? undefined
            : checkFingerprint(input.trustedCertificate);
        adding.add(jid);
        try {
          return await addChecked(
            jid,
            secret,
            fields,
            input.directTls,
            input.savePassword,
            trusted,
            input.clientCertificate ? "client-certificate" : undefined,
          );
        } finally {
          adding.delete(jid);
        }
      } catch (error) {
        throw asWrenError(error);
      }
    },

    async update(id: string, changes: AccountChanges): Promise<AccountSummary> {
      const entry = lookup(id);
      await operate(entry, async () => {
        const before = entry.settings;
        const fields = checkConnectionFields(changes);
        // The new secret, if any: a password, or a certificate in its stored form.
        const password = changes.clientCertificate
          ? serializeClientCertificate(changes.clientCertificate)
          : changes.password === undefined
            ? undefined
            : checkPassword(changes.password);
        let storage = before.passwordStorage ?? "none";
        if (changes.savePassword !== undefined) {
          storage = changes.savePassword ? credentials.kind : "none";
        }
        const next = withFields(before, { ...fields, directTls: changes.directTls });
        next.passwordStorage = storage;
        // A new password takes a certificate account back to passwords; a certificate, the reverse.
        if (changes.clientCertificate) next.authentication = "client-certificate";
        else if (password !== undefined) delete next.authentication;

        // The secret first: if the store fails, nothing has changed.
        const secret = password ?? entry.password;
        if (storage !== "none" && (password !== undefined || before.passwordStorage !== storage)) {
          if (secret === null) {
            throw new WrenError("invalid-argument", "Enter the password to save it.");
          }
          await credentials.set(id, secret);
        }
        if (storage === "none" && (before.passwordStorage ?? "none") !== "none") {
          await credentials.delete(id);
        }
        await persist((accounts) =>
          accounts.map((account) => (account.id === id ? next : account)),
        );

        const connectionChanged =
          password !== undefined ||
          // Priority travels in presence; signing in again is the simple way to send it anew.
          (["host", "port", "resource", "priority", "directTls"] as const).some(
            (key) => before[key] !== next[key],
          );
        // An account the person took offline stays offline; any other one signs in again.
        const wasActive = entry.session ? connectionState(entry.session) !== "offline" : true;
        entry.settings = next;
        if (password !== undefined) {
          entry.password = password;
          entry.problem = null;
        }
        emit("accounts", { kind: "updated", accountId: id, account: summary(entry) });
        if (!connectionChanged) return DONE;
        await dropSession(entry);
        emitState(entry);
        return next.enabled && wasActive ? { wait: beginSignIn(entry) } : DONE;
      });
      return summary(entry);
    },

    async trustCertificate(id: string, fingerprint: string): Promise<AccountSummary> {
      const entry = lookup(id);
      await operate(entry, async () => {
        const shown = stateOf(entry).error?.certificate?.fingerprint;
        if (!shown || !sameFingerprint(shown, checkFingerprint(fingerprint))) {
          throw new WrenError(
            "invalid-argument",
            "That is not the certificate the server showed last. Reconnect to see the current one.",
          );
        }
        const trustedCertificate = shown;
        await persist((accounts) =>
          accounts.map((account) =>
            account.id === id ? { ...account, trustedCertificate } : account,
          ),
        );
        entry.settings = { ...entry.settings, trustedCertificate };
        log.info("certificate trusted by the person", { accountId: id });
        emit("accounts", { kind: "updated", accountId: id, account: summary(entry) });
        await dropSession(entry);
        emitState(entry);
        return entry.settings.enabled ? { wait: beginSignIn(entry) } : DONE;
      });
      return summary(entry);
    },

    async forgetTrustedCertificate(id: string): Promise<AccountSummary> {
      const entry = lookup(id);
      await operate(entry, async () => {
        if (!entry.settings.trustedCertificate) return DONE;
        await persist((accounts) =>
          accounts.map((account) => {
            if (account.id !== id) return account;
            const { trustedCertificate: _forgotten, ...rest } = account;
            return rest;
          }),
        );
        const { trustedCertificate: _forgotten, ...settings } = entry.settings;
        entry.settings = settings;
        log.info("trusted certificate forgotten", { accountId: id });
        emit("accounts", { kind: "updated", accountId: id, account: summary(entry) });
        const wasActive = entry.session ? connectionState(entry.session) !== "offline" : true;
        await dropSession(entry);
        emitState(entry);
        return entry.settings.enabled && wasActive ? { wait: beginSignIn(entry) } : DONE;
      });
      return summary(entry);
    },

    async acceptWeakerSignIn(id: string): Promise<AccountSummary> {
      const entry = lookup(id);
      await operate(entry, async () => {
        if (stateOf(entry).error?.code !== "auth-downgrade") {
          throw new WrenError(
            "invalid-argument",
            "The last sign-in of this account was not refused as a downgrade.",
          );
        }
        await persist((accounts) =>
          accounts.map((account) => {
            if (account.id !== id) return account;
            const { mechanismPin: _forgotten, ...rest } = account;
            return rest;
          }),
        );
        const { mechanismPin: _forgotten, ...settings } = entry.settings;
        entry.settings = settings;
        log.info("weaker sign-in accepted by the person", { accountId: id });
        await dropSession(entry);
        emitState(entry);
        return entry.settings.enabled ? { wait: beginSignIn(entry) } : DONE;
      });
      return summary(entry);
    },

    async setEnabled(id: string, enabled: boolean): Promise<AccountSummary> {
      const entry = lookup(id);
      await operate(entry, async () => {
        if (entry.settings.enabled !== enabled) {
          await persist((accounts) =>
            accounts.map((account) => (account.id === id ? { ...account, enabled } : account)),
          );
          entry.settings = { ...entry.settings, enabled };
          emit("accounts", { kind: "updated", accountId: id, account: summary(entry) });
        }
        if (!enabled) {
          await dropSession(entry);
          emitState(entry);
          return DONE;
        }
        if (entry.password === null) entry.password = await readSavedPassword(entry);
        return { wait: beginSignIn(entry) };
      });
      return summary(entry);
    },

    async remove(id: string): Promise<void> {
      const entry = lookup(id);
      await operate(entry, async () => {
        const { jid, passwordStorage } = entry.settings;
        cancelRetry(entry);
        if (entry.session) await stopQuietly(entry.session, id);
        try {
          await credentials.delete(id);
          await credentials.delete(fastTokenKey(id));
        } catch (error) {
          // Nothing was saved there for this account: an unreachable store does not matter.
          if ((passwordStorage ?? "none") !== "none") {
            emitState(entry);
            throw new WrenError(
              "not-available",
              `${jid} was not removed, because its saved password could not be deleted: ${asWrenError(error).message}`,
            );
          }
        }
        await persist((accounts) => accounts.filter((account) => account.id !== id));
        entry.removed = true;
        entry.password = null;
        detach(entry);
        entry.session = null;
        entries.delete(id);
        if (options.removeLocalData) {
          await options.removeLocalData(id).catch((error: unknown) =>
            log.warn("could not delete a removed account's local data", {
              accountId: id,
              error: errorName(error),
            }),
          );
        }
        log.info("account removed", { accountId: id });
        emit("accounts", { kind: "removed", accountId: id, account: null });
        return DONE;
      });
    },

    async reconnect(id?: string): Promise<void> {
      if (id !== undefined) return reconnectOne(lookup(id), true);
      await forEach((entry) => reconnectOne(entry, false));
    },

    async goOffline(id?: string): Promise<void> {
      if (id !== undefined) return goOfflineOne(lookup(id));
      await forEach(goOfflineOne);
    },

    accounts: () => [...entries.values()].map(summary),

    session: (id) => entries.get(id)?.session ?? null,

    on: (event, listener) => events.on(event, listener),

    async dispose(): Promise<void> {
      disposed = true;
      await Promise.all(
        [...entries.values()].map(async (entry) => {
          cancelRetry(entry);
          if (entry.session) await stopQuietly(entry.session, entry.settings.id);
          detach(entry);
        }),
      );
    },
  };

  async function addChecked(
    jid: string,
    secret: string,
    fields: ReturnType<typeof checkConnectionFields>,
    directTls: boolean,
    savePassword: boolean,
    trustedCertificate: string | undefined,
    authentication: "client-certificate" | undefined,
  ): Promise<AccountSummary> {
    const id = randomBytes(12).toString("base64url");
    let settings = withFields(
      {
        id,
        jid,
        directTls,
        enabled: true,
        passwordStorage: savePassword ? credentials.kind : "none",
        ...(trustedCertificate && { trustedCertificate }),
        ...(authentication && { authentication }),
      },
      fields,
    );
    // Listening from the start: the first sign-in brings the roster, pending requests and offline
    // messages, which are told once the account is added.
    const entry = newEntry(settings, secret);
    entry.held = [];
    const session = createSession(sessionOptions(settings, secret, entry.state));
    entry.session = session;
    attach(entry, session);
    // The first sign-in already learns the server's strongest mechanism: keep it with the account.
    let fastToken: FastToken | null = null;
    const stopListening = [
      session.on("mechanismPinned", (pin) => {
        settings = { ...settings, mechanismPin: { ...pin } } as AccountSettings;
      }),
      session.on("fastToken", (token) => (fastToken = token)),
    ];
    const stopPinning = () => stopListening.forEach((off) => off());
    try {
      await signIns(() => session.start());
    } catch (error) {
      stopPinning();
      await stopQuietly(session, id);
      detach(entry);
      log.info("adding an account failed: signing in did not work", {
        code: asWrenError(error).code,
      });
      throw error;
    }
    stopPinning();
    try {
      if (disposed) throw new WrenError("not-signed-in", "Wren is quitting.");
      if (savePassword) await credentials.set(id, secret);
      await persist((accounts) => [...accounts, settings]);
    } catch (error) {
      if (savePassword) await credentials.delete(id).catch(() => undefined);
      await stopQuietly(session, id);
      detach(entry);
      throw error;
    }
    entry.settings = settings;
    if (fastToken) rememberFastToken(entry, fastToken);
    entries.set(id, entry);
    log.info("account added", { accountId: id });
    emit("accounts", { kind: "added", accountId: id, account: summary(entry) });
    const held = entry.held;
    entry.held = null;
    for (const report of held) report();
    return summary(entry);
  }

  return manager;
}

/** The FAST token is filed next to the account's password, under its own name. */
function fastTokenKey(accountId: string): string {
  return `${accountId}.fast`;
}

function parseFastToken(secret: string | null): FastToken | null {
  if (!secret) return null;
  try {
    const value = JSON.parse(secret) as Partial<FastToken>;
    if (
      typeof value.mechanism === "string" &&
      typeof value.token === "string" &&
      typeof value.expiry === "string"
    ) {
      return { mechanism: value.mechanism, token: value.token, expiry: value.expiry };
    }
  } catch {
    // a damaged entry: sign in with the password and get a new token
  }
  return null;
}

/** XEP-0388 wants one stable id per account and device; derived from the account's random id. */
function userAgentIdOf(accountId: string): string {
  const hex = createHash("sha256").update(`wren-user-agent:${accountId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function credentialsFor(
  settings: AccountSettings,
  secret: string,
): { password: string } | { clientCertificate: ClientCertificate } {
  if (settings.authentication !== "client-certificate") return { password: secret };
  const clientCertificate = parseClientCertificate(secret);
  if (!clientCertificate) {
    throw new WrenError(
      "auth-failed",
      `The saved client certificate of ${settings.jid} cannot be read. Choose the certificate again.`,
    );
  }
  return { clientCertificate };
}

/** A SHA-256 fingerprint as Wren stores it: upper-case hex pairs joined by colons. */
function checkFingerprint(value: unknown): string {
  const hex = typeof value === "string" ? value.replace(/[^0-9a-f]/gi, "").toUpperCase() : "";
  if (hex.length !== 64) {
    throw new WrenError("invalid-argument", "That is not a SHA-256 certificate fingerprint.");
  }
  return hex.match(/../g)!.join(":");
}

function passwordNeeded(jid: string): UserError {
  return { code: "not-signed-in", message: `Enter the password for ${jid} to sign in.` };
}

function noSuchAccount(): WrenError {
  return new WrenError(
    "invalid-argument",
    "This account does not exist (it may have been removed).",
  );
}
