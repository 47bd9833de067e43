import type { ConnectionState, UserError } from "../../preload/contract";
import { Backoff, type BackoffOptions } from "../core/backoff";
import { isRetryable } from "../core/errors";
import { RetrySchedule } from "../core/retry-schedule";
import type { CreateSession, XmppSession } from "../core/session-api";
import type { Clock } from "../shared/clock";
import { asWrenError, errorName } from "../shared/errors";
import type { Logger } from "../shared/log";
import { withTimeout } from "../shared/timeouts";
import { connectionState, type AccountReports } from "./account-reports";
import { DONE, type Entry, type Then } from "./account-registry";
import { createLimiter } from "./serial";
import type { SessionEventForwarding } from "./session-events";
import { sessionOptions } from "./session-options";

const STOP_GUARD_MS = 15_000;
const ACTIVE: ReadonlySet<ConnectionState> = new Set(["online", "connecting"]);

export type AccountSessions = ReturnType<typeof createAccountSessions>;

/** Online or signing in: starting it again is not needed. */
export function isActive(session: XmppSession): boolean {
  return ACTIVE.has(connectionState(session));
}

/**
 * The session of each account: made when needed, signed in a few at a time, retried while a
 * first sign-in fails for a reason time can fix, and stopped without trusting it to behave.
 */
export function createAccountSessions(deps: {
  createSession: CreateSession;
  log: Logger;
  reports: AccountReports;
  forwarding: SessionEventForwarding;
  /** Sign-ins running at the same moment; SCRAM costs CPU, so a few at a time. */
  maxConcurrentSignIns: number;
  /** Once online, the session reconnects by itself; this schedule covers the first sign-in. */
  clock: Clock;
  backoff?: Partial<BackoffOptions>;
  isDisposed: () => boolean;
}) {
  const { log, reports, forwarding, clock, isDisposed } = deps;
  const signIns = createLimiter(deps.maxConcurrentSignIns);

  /** Makes the account's session with `secret` and listens to it; throws if it cannot be made. */
  function open(entry: Entry, secret: string): XmppSession {
    const session = deps.createSession(sessionOptions(entry, secret));
    entry.session = session;
    forwarding.attach(entry, session);
    return session;
  }

  /** The account's session, made now if needed; null (with the reason in `problem`) if it cannot be. */
  function ensure(entry: Entry): XmppSession | null {
    if (entry.session) return entry.session;
    if (entry.password === null) {
      entry.problem ??= passwordNeeded(entry.settings.jid);
      return null;
    }
    try {
      const session = open(entry, entry.password);
      entry.problem = null;
      return session;
    } catch (error) {
      entry.problem = asWrenError(error).toUserError();
      log.warn("could not create a session", { accountId: entry.settings.id });
      return null;
    }
  }

  /**
   * Begins signing the account in (unless it is already online or signing in). The promise ends
   * when that attempt ended and never rejects: the outcome is the account's state.
   */
  function beginSignIn(entry: Entry): Promise<void> {
    const session = ensure(entry);
    if (!session) {
      reports.emitState(entry);
      return Promise.resolve();
    }
    if (isActive(session)) return Promise.resolve();
    const accountId = entry.settings.id;
    const current = () =>
      entry.session === session && !entry.removed && entry.settings.enabled && !isDisposed();
    return signIns(async () => {
      if (!current()) return;
      try {
        await session.start();
        log.info("signed in", { accountId });
        cancelRetry(entry);
      } catch (error) {
        const failure = asWrenError(error);
        log.info("signing in failed", { accountId, code: failure.code });
        reports.emitState(entry);
        if (current() && isRetryable(failure)) retryLater(entry);
      }
    }).catch((error: unknown) =>
      // The limiter itself failed: the sign-in never ran, so the account's state says nothing.
      log.error("could not start signing in", { accountId, error: errorName(error) }, error),
    );
  }

  // Not a Reconnector: a sign-in the person starts meanwhile (reconnect, enable) also fails into
  // this schedule, and moves it one step on instead of being ignored.
  function retryLater(entry: Entry): void {
    entry.retry ??= new RetrySchedule(clock, new Backoff(deps.backoff));
    const delayMs = entry.retry.schedule(() => void beginSignIn(entry));
    log.info("signing in again later", { accountId: entry.settings.id, delayMs });
  }

  /** Stops a scheduled retry; the backoff starts over next time. */
  function cancelRetry(entry: Entry): void {
    entry.retry?.cancel();
    entry.retry = null;
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
  async function drop(entry: Entry): Promise<void> {
    cancelRetry(entry);
    const session = entry.session;
    if (!session) return;
    await stopQuietly(session, entry.settings.id);
    forwarding.detach(entry);
    if (entry.session === session) entry.session = null;
  }

  /** Stops the account's session and any retry; the session stays, to start again. */
  async function stop(entry: Entry): Promise<void> {
    cancelRetry(entry);
    if (entry.session) await stopQuietly(entry.session, entry.settings.id);
  }

  return {
    open,
    beginSignIn,
    stop,
    stopQuietly,
    detach: forwarding.detach,

    /** The first sign-in of an account being added, when a slot is free; rejects if it fails. */
    startInTurn: (session: XmppSession) => signIns(() => session.start()),

    /**
     * Drops the account's session, so that the next one starts from its current settings, and
     * begins signing in again if `signIn`.
     */
    async renew(entry: Entry, signIn: boolean): Promise<Then> {
      await drop(entry);
      reports.emitState(entry);
      return signIn ? { wait: beginSignIn(entry) } : DONE;
    },
  };
}

export function passwordNeeded(jid: string): UserError {
  return { code: "not-signed-in", message: `Enter the password for ${jid} to sign in.` };
}
