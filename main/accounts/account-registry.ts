import type { UserError } from "../../preload/contract";
import { AccountState } from "../core/account-state";
import type { FastToken } from "../core/auth/fast-token";
import { MemoryHistory } from "../core/features/chat/memory-history";
import type { ChatHistory } from "../core/features/chat/message-record";
import type { CapsCache } from "../core/features/disco";
import type { RetrySchedule } from "../core/retry-schedule";
import type { XmppSession } from "../core/session-api";
import { asWrenError, WrenError } from "../shared/errors";
import type { Logger } from "../shared/log";
import { historyFor } from "./account-history";
import { createSerialQueue } from "./serial";
import type { AccountSettings } from "./settings-file";

/** What the manager knows about one account. */
export interface Entry {
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
  retry: RetrySchedule | null;
  /** XEP-0484 FAST token; kept where the password is (memory only when that is nowhere). */
  fastToken: FastToken | null;
  /** Roster, presence and conversations: every session of the account plugs into this one. */
  state: AccountState;
  /** Where its messages are kept while it keeps history (see account-history). */
  keptHistory: ChatHistory;
  /**
   * While the account is being added: what its first sign-in reported, told once it is added, so
   * the roster and requests of a first sign-in reach the page instead of being lost.
   */
  held: (() => void)[] | null;
}

/** What an operation hands back from inside its account's queue: a sign-in to await outside it. */
export interface Then {
  wait: Promise<void>;
}
export const DONE: Then = { wait: Promise.resolve() };

export type AccountRegistry = ReturnType<typeof createAccountRegistry>;

/** The accounts of this run, by id, and the one-at-a-time queue of each. */
export function createAccountRegistry(deps: {
  log: Logger;
  capsCache: CapsCache;
  /** The history store of every account; without one, each keeps its history in memory. */
  history?: ChatHistory;
}) {
  const { log, capsCache } = deps;
  const entries = new Map<string, Entry>();

  return {
    entries,

    /** A new entry, not yet listed: its AccountState is made here, once for all its sessions. */
    create(settings: AccountSettings, password: string | null): Entry {
      // MemoryHistory does not tell accounts apart, so one of its own for each.
      const keptHistory = deps.history ?? new MemoryHistory();
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
        state: new AccountState({
          jid: settings.jid,
          accountId: settings.id,
          history: historyFor(settings, keptHistory),
          log,
          capsCache,
        }),
        keptHistory,
        held: null,
      };
    },

    lookup(id: string): Entry {
      const entry = entries.get(id);
      if (!entry || entry.removed) throw noSuchAccount();
      return entry;
    },

    /** Runs `work` in the account's queue, then waits (outside the queue) for the sign-in it began. */
    async operate(entry: Entry, work: () => Promise<Then>): Promise<void> {
      const then = await entry.serial(async () => {
        if (entry.removed) throw noSuchAccount();
        try {
          return await work();
        } catch (error) {
          throw asWrenError(error);
        }
      });
      await then.wait;
    },

    /** Runs `work` for each account; one account's failure is logged and never reaches the others. */
    async forEach(work: (entry: Entry) => Promise<void>): Promise<void> {
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
    },
  };
}

function noSuchAccount(): WrenError {
  return new WrenError(
    "invalid-argument",
    "This account does not exist (it may have been removed).",
  );
}
