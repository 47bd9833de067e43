import type { ConnectionState, SessionState } from "../../preload/contract";
import type { XmppSession } from "../core/session-api";
import { Emitter } from "../shared/emitter";
import { asWrenError, errorName } from "../shared/errors";
import type { Logger } from "../shared/log";
import type { AccountManagerEvents, AccountSummary } from "./account-manager-api";
import type { Entry } from "./account-registry";

export type AccountReports = ReturnType<typeof createAccountReports>;

/**
 * What listeners and callers are told about the accounts. A session is never trusted not to
 * throw: reading its state is guarded here.
 */
export function createAccountReports(deps: { log: Logger; isDisposed: () => boolean }) {
  const { log, isDisposed } = deps;
  const events = new Emitter<AccountManagerEvents>((error) =>
    log.warn("an accounts listener failed", errorName(error)),
  );

  const emit: typeof events.emit = (event, ...args) => {
    if (!isDisposed()) events.emit(event, ...args);
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

  return {
    on: <E extends keyof AccountManagerEvents>(event: E, listener: AccountManagerEvents[E]) =>
      events.on(event, listener),
    emit,
    stateOf,
    summary,

    emitState(entry: Entry): void {
      if (entry.removed) return;
      emit("accounts", { kind: "state", accountId: entry.settings.id, account: summary(entry) });
    },

    /** Tells listeners about the account now, or once it is added when it is being added. */
    tell(entry: Entry, report: () => void): void {
      if (entry.held) entry.held.push(report);
      else report();
    },
  };
}

export function connectionState(session: XmppSession): ConnectionState {
  try {
    return session.state().state;
  } catch {
    return "error";
  }
}

/** An account the person took offline stays offline; any other one signs in again. */
export function takenOffline(entry: Entry): boolean {
  return entry.session !== null && connectionState(entry.session) === "offline";
}
