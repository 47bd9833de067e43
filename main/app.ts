// The one composition root: everything Wren is made of that does not depend on its host. The
// Electron main process (index.ts) and the browser preview (preview/cli.ts) pass what differs —
// where data lives, how passwords may be kept, the OS's signals, links and file dialogs — and get
// the same service. A new part (a database, file transfers) is wired here, once. Never imports
// electron: the preview runs this under plain Node.
import { join } from "node:path";
import { createAccountManager } from "./accounts/account-manager";
import { createDispatch, type Dispatch } from "./api/dispatch";
import {
  createWrenService,
  type ChooseCertificateFile,
  type FileOptions,
  type WrenService,
} from "./api/service";
import type { ConnectivitySignals } from "./core/connectivity";
import { createSession } from "./core/account-runtime";
import type { CreateSession } from "./core/session-api";
import {
  createCredentialChoice,
  type CredentialChoiceOptions,
} from "./credentials/credential-choice";
import type { Clock } from "./shared/clock";
import { openingStore } from "./store/opening-store";
import { configureLogging, createLogger, type LogLevel, type LogSink } from "./shared/log";

export interface AppDeps {
  /** The app-data folder: accounts.json, credentials.json, passwords.json and history.sqlite. */
  dataDir: string;
  /** How passwords may be kept on this host: safeStorage (Electron only), the keychain. */
  credentials: Omit<CredentialChoiceOptions, "file" | "safeStorageFile">;
  /** Opens a link outside Wren (the person's browser), or refuses. */
  openExternal: (url: string) => Promise<void>;
  /** Asks the person for a client certificate file. */
  chooseCertificateFile: ChooseCertificateFile;
  /** Where downloads go and how the host opens them; files sent wait in the data folder. */
  files: Pick<
    FileOptions,
    "downloadsDir" | "openPath" | "showInFolder" | "maxPreviewBytes" | "maxDownloadBytes"
  >;
  /**
   * The OS's network-back, wake-up and foreground events, asked for when a session is made (so a
   * host may make them late: Electron's powerMonitor only exists after "ready"). Default: none.
   */
  signals?: () => ConnectivitySignals;
  /** Timers for sign-in retries and sessions. Default: the real ones. */
  clock?: Clock;
  /** Makes one account's connection. Default: the core's. */
  createSession?: CreateSession;
  /**
   * Where every logger writes. When given, errors nothing else caught (uncaught exceptions,
   * unhandled rejections) are logged there from now on instead of ending the process — also while
   * quitting, so nothing takes those listeners off again. Hosts give it once; tests leave it out.
   */
  logging?: { sinks: LogSink[]; level?: LogLevel };
  /** How long events may wait to be batched together. */
  eventWindowMs?: number;
  /** The message database's worker module; by default the one beside the store's code. */
  storeWorkerUrl?: URL;
}

export interface App {
  service: WrenService;
  /** Every command, whatever carries it (IPC or the preview's WebSocket), goes through this. */
  dispatch: Dispatch;
  /** Decides the credential store, then signs in the enabled accounts. Never rejects. */
  start(): Promise<void>;
  /** Signs out of every account and stops everything start() began. */
  dispose(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  // First, so whatever is made below logs where the host wants it.
  if (deps.logging) setUpLogging(deps.logging);
  const log = createLogger("app/main");
  const makeSession = deps.createSession ?? createSession;

  const credentials = createCredentialChoice({
    ...deps.credentials,
    file: join(deps.dataDir, "credentials.json"),
    safeStorageFile: join(deps.dataDir, "passwords.json"),
  });
  // Every account's conversations, in one database beside the accounts file.
  const store = openingStore({
    path: join(deps.dataDir, "history.sqlite"),
    workerUrl: deps.storeWorkerUrl,
  });
  const accounts = createAccountManager({
    settingsPath: join(deps.dataDir, "accounts.json"),
    credentials: credentials.store,
    history: store.history,
    removeLocalData: (accountId) => store.deleteAccount(accountId),
    clock: deps.clock,
    createSession: (options) =>
      makeSession({
        ...options,
        ...(deps.clock && { clock: deps.clock }),
        ...(deps.signals && { signals: deps.signals() }),
      }),
  });
  const service = createWrenService({
    accounts,
    credentials,
    openExternal: deps.openExternal,
    chooseCertificateFile: deps.chooseCertificateFile,
    eventWindowMs: deps.eventWindowMs,
    search: (query) => store.search(query),
    files: {
      ...deps.files,
      stagingDir: join(deps.dataDir, "staging"),
      protectedDirs: [deps.dataDir],
    },
  });
  const dispatch = createDispatch(service.handlers, {
    onInternalError: (name, error) => log.error("command failed", { command: name }, error),
  });

  let disposed: Promise<void> | null = null;
  return {
    service,
    dispatch,
    start: () => service.start(),
    // The sessions first: what they are still keeping goes into the database before it closes.
    dispose: () => (disposed ??= service.dispose().then(() => store.close())),
  };
}

function setUpLogging(logging: NonNullable<AppDeps["logging"]>): void {
  configureLogging(logging);
  const log = createLogger("app/main");
  process.on("uncaughtException", (error) => log.error("uncaught exception", error));
  process.on("unhandledRejection", (reason) => log.error("unhandled rejection", reason));
}
