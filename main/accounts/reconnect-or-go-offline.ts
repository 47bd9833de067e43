import { errorName, WrenError } from "../shared/errors";
import { DONE, type Entry } from "./account-registry";
import { isActive, passwordNeeded } from "./account-sessions";
import type { AccountsContext } from "./accounts-context";

/** AccountManager.reconnect and goOffline, for one account or all of them. */
export function createReconnectOrGoOffline(context: AccountsContext) {
  const { log, accounts, reports, secrets, sessions } = context;

  /** `strict`: the person asked for this account, so say why it cannot sign in. */
  function reconnectOne(entry: Entry, strict: boolean): Promise<void> {
    return accounts.operate(entry, async () => {
      if (!entry.settings.enabled) {
        if (!strict) return DONE;
        throw new WrenError(
          "invalid-argument",
          `${entry.settings.jid} is disabled. Enable it to sign in.`,
        );
      }
      if (entry.password === null) entry.password = await secrets.readSavedPassword(entry);
      if (entry.password === null && strict) {
        throw new WrenError("not-signed-in", passwordNeeded(entry.settings.jid).message);
      }
      const session = entry.session;
      if (session && isActive(session)) {
        try {
          session.reconnectNow();
        } catch (error) {
          log.warn("reconnect failed", { accountId: entry.settings.id, error: errorName(error) });
        }
        return DONE;
      }
      return { wait: sessions.beginSignIn(entry) };
    });
  }

  function goOfflineOne(entry: Entry): Promise<void> {
    return accounts.operate(entry, async () => {
      await sessions.stop(entry);
      reports.emitState(entry);
      return DONE;
    });
  }

  return {
    async reconnect(id?: string): Promise<void> {
      if (id !== undefined) return reconnectOne(accounts.lookup(id), true);
      await accounts.forEach((entry) => reconnectOne(entry, false));
    },

    async goOffline(id?: string): Promise<void> {
      if (id !== undefined) return goOfflineOne(accounts.lookup(id));
      await accounts.forEach(goOfflineOne);
    },
  };
}
