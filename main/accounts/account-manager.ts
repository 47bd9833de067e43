import type { BackoffOptions } from "../core/backoff";
import type { ChatHistory } from "../core/features/chat/message-record";
import { CapsCache } from "../core/features/disco";
import type { CreateSession } from "../core/session-api";
import type { CredentialStore } from "../credentials/credential-store";
import { systemClock, type Clock } from "../shared/clock";
import { errorName } from "../shared/errors";
import { createLogger, type Logger } from "../shared/log";
import { createAddAccount } from "./add-account";
import type { AccountManager, LoadReport } from "./account-manager-api";
import { createAccountRegistry, DONE } from "./account-registry";
import { createAccountReports } from "./account-reports";
import { createAccountSecrets } from "./account-secrets";
import { createAccountSessions } from "./account-sessions";
import type { AccountsContext } from "./accounts-context";
import { createAccountChanges } from "./change-account";
import { createReconnectOrGoOffline } from "./reconnect-or-go-offline";
import { createRemoveAccount } from "./remove-account";
import { createSecurityDecisions } from "./security-decisions";
import { createSessionEventForwarding } from "./session-events";
import { createSettingsStore } from "./settings-store";

export type * from "./account-manager-api";

export interface AccountManagerOptions {
  /** accounts.json in the app-data folder. */
  settingsPath: string;
  /** Where saved passwords live, chosen by the user (see chooseStore). */
  credentials: CredentialStore;
  createSession: CreateSession;
  /**
   * Where accounts that keep history keep their messages (the database), shared by all: records
   * carry their account's id. Without it, each account keeps them in memory.
   */
  history?: ChatHistory;
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

export function createAccountManager(options: AccountManagerOptions): AccountManager {
  const { credentials } = options;
  const log = options.log ?? createLogger("app/accounts");
  let disposed = false;
  const isDisposed = () => disposed;
  // What contacts' software can do, by XEP-0115 hash: the same for every account.
  const accounts = createAccountRegistry({
    log,
    capsCache: new CapsCache(),
    history: options.history,
  });
  const reports = createAccountReports({ log, isDisposed });
  const settings = createSettingsStore(options.settingsPath);
  const secrets = createAccountSecrets({ credentials, log });
  const sessions = createAccountSessions({
    createSession: options.createSession,
    log,
    reports,
    forwarding: createSessionEventForwarding({ log, reports, settings, secrets }),
    maxConcurrentSignIns: options.maxConcurrentSignIns ?? 2,
    clock: options.clock ?? systemClock,
    backoff: options.backoff,
    isDisposed,
  });
  const context: AccountsContext = {
    log,
    credentials,
    accounts,
    reports,
    settings,
    secrets,
    sessions,
    isDisposed,
    removeLocalData: options.removeLocalData,
  };
  const { entries } = accounts;

  return {
    async load(): Promise<LoadReport> {
      const result = await settings.load();
      for (const saved of result.settings.accounts) {
        entries.set(saved.id, accounts.create({ ...saved }, null));
      }

      // One after another: a keychain may ask the person to unlock it.
      for (const entry of entries.values()) {
        if (entry.settings.enabled) entry.password = await secrets.readSavedPassword(entry);
        const account = reports.summary(entry);
        reports.emit("accounts", { kind: "added", accountId: entry.settings.id, account });
      }
      for (const entry of entries.values()) {
        if (!entry.settings.enabled) continue;
        void accounts
          .operate(entry, async () => {
            void sessions.beginSignIn(entry);
            return DONE;
          })
          .catch((error: unknown) =>
            log.warn("could not begin signing in at start", {
              accountId: entry.settings.id,
              error: errorName(error),
            }),
          );
      }
      const needPassword = [...entries.values()]
        .filter((entry) => entry.settings.enabled && entry.password === null)
        .map((entry) => entry.settings.id);
      if (result.problem) log.warn("the accounts file could not be used", result.problem.kind);
      return result.problem ? { problem: result.problem, needPassword } : { needPassword };
    },

    add: createAddAccount(context),
    ...createAccountChanges(context),
    ...createSecurityDecisions(context),
    remove: createRemoveAccount(context),
    ...createReconnectOrGoOffline(context),

    accounts: () => [...entries.values()].map(reports.summary),

    session: (id) => entries.get(id)?.session ?? null,

    state: (id) => entries.get(id)?.state ?? null,

    on: reports.on,

    async dispose(): Promise<void> {
      disposed = true;
      await Promise.all(
        [...entries.values()].map(async (entry) => {
          await sessions.stop(entry);
          sessions.detach(entry);
          // What arrived before the connection closed is kept before the database closes:
          // otherwise the server, told it was handled, would not send it again.
          await entry.state.chat.settled();
        }),
      );
    },
  };
}
