import type { Snapshot, WrenEvent } from "../../preload/contract";
import type { AccountManager } from "../accounts/account-manager";
import type { CredentialChoice } from "../credentials/credential-choice";
import { createLogger, type Logger } from "../shared/log";
import { createAccountHandlers } from "./account-handlers";
import { createCertificatePicks, type ChooseCertificateFile } from "./certificate-picks";
import { createChatHandlers } from "./chat-handlers";
import { forwardAccountEvents } from "./account-events";
import { accountData, toSummary } from "./account-view";
import type { Handlers } from "./dispatch";
import { createEventBatcher } from "./event-batcher";
import { createFileService, type FileOptions, type FileService } from "./file-handlers";
import { createRegistrationHandlers, type RegistrationFunctions } from "./registration-handlers";
import type { MessageSearch, ServiceContext } from "./service-context";
import { errorName } from "../shared/errors";
import { WrenError } from "../shared/errors";

export type { RegistrationFunctions } from "./registration-handlers";
export type { ChooseCertificateFile } from "./certificate-picks";
export type { FileOptions } from "./file-handlers";

export interface WrenServiceDeps {
  accounts: AccountManager;
  credentials: CredentialChoice;
  openExternal: (url: string) => Promise<void>;
  /** Asks the person for a client certificate file: the system's dialog in the app. */
  chooseCertificateFile: ChooseCertificateFile;
  /** How long a picked client certificate waits to be used. */
  certificatePickTtlMs?: number;
  /** In-band registration; the core's by default. */
  registration?: RegistrationFunctions;
  /** How long an unanswered registration form stays open. */
  registrationTtlMs?: number;
  /** How long events may wait to be batched together. */
  eventWindowMs?: number;
  /** Full-text search over the database; without one, searching finds nothing. */
  search?: MessageSearch;
  /** Sending and receiving files; without it, file commands say they are not available. */
  files?: FileOptions;
  log?: Logger;
}

export interface WrenService {
  handlers: Handlers;
  onEvents(listener: (events: WrenEvent[]) => void): () => void;
  /** Files by path, for Electron's preload; null without file support. */
  files: Pick<FileService, "stageFromDisk"> | null;
  /**
   * Decides the credential store, then loads the accounts (signing in the enabled ones). Call
   * once; commands wait for it. Never rejects: a problem shows in the snapshot.
   */
  start(): Promise<void>;
  /** Closes every session and open registration, and stops delivering events. */
  dispose(): Promise<void>;
}

/**
 * What Wren does for its renderer, independent of how commands arrive (Electron IPC or the
 * preview's WebSocket): every account of the AccountManager, named by account id.
 */
export function createWrenService(deps: WrenServiceDeps): WrenService {
  const log = deps.log ?? createLogger("app/service");
  const listeners = new Set<(events: WrenEvent[]) => void>();
  const batcher = createEventBatcher({
    windowMs: deps.eventWindowMs,
    deliver: (events) => {
      for (const listener of listeners) listener(events);
    },
  });
  const certificates = createCertificatePicks({
    choose: deps.chooseCertificateFile,
    ttlMs: deps.certificatePickTtlMs,
    log,
  });
  const context: ServiceContext = {
    accounts: deps.accounts,
    credentials: deps.credentials,
    push: (event) => batcher.push(event),
    log,
    presence: new Map(),
    saveWhenDecided: new Set(),
    certificates,
    search: deps.search ?? null,
    catchUp: new Map(),
  };
  const stopForwarding = forwardAccountEvents(context);
  const registration = createRegistrationHandlers(context, {
    functions: deps.registration,
    ttlMs: deps.registrationTtlMs,
  });
  let settingsProblem: string | null = null;
  let started: Promise<void> | null = null;

  const start = (): Promise<void> =>
    (started ??= (async () => {
      files
        ?.start()
        .catch((error: unknown) =>
          log.warn("could not clear files left from an earlier run", { error: errorName(error) }),
        );
      const credentials = await deps.credentials.start();
      if (credentials.ask)
        log.warn("passwords are kept in memory until the person chooses a store");
      try {
        const report = await deps.accounts.load();
        if (report.problem) {
          settingsProblem = report.problem.message;
          log.warn("the accounts file could not be used", { kind: report.problem.kind });
        }
      } catch (error) {
        settingsProblem =
          error instanceof WrenError
            ? error.message
            : "Wren could not read its account settings. The details are in the log.";
        log.error("could not load the accounts", { error: errorName(error) }, error);
      }
    })().catch((error: unknown) => {
      settingsProblem = "Wren could not start its accounts. The details are in the log.";
      log.error("could not start", { error: errorName(error) }, error);
    }));

  /** Commands wait until start() is done, so none can act on accounts not read yet. */
  const ready = async () => {
    if (started) await started;
  };
  const afterStart = <A, R>(handler: (args: A) => R | Promise<R>) => {
    return async (args: A): Promise<R> => {
      await ready();
      return handler(args);
    };
  };

  const files = deps.files ? createFileService(context, deps.files) : null;
  const fileHandlers = files?.handlers ?? unavailableFileHandlers();
  const accountHandlers = createAccountHandlers(context);
  const chatHandlers = createChatHandlers(context);
  const handlers: Handlers = {
    snapshot: afterStart((): Snapshot => {
      const accounts = deps.accounts.accounts();
      return {
        accounts: accounts.map(toSummary),
        data: accounts.map((account) => ({
          ...accountData(deps.accounts, account.id, context.presence.get(account.id), log),
          ...(context.catchUp.has(account.id) && { catchUp: context.catchUp.get(account.id) }),
        })),
        credentials: deps.credentials.status(),
        settingsProblem,
        transfers: files?.transfers() ?? [],
      };
    }),
    addAccount: afterStart(accountHandlers.addAccount),
    updateAccount: afterStart(accountHandlers.updateAccount),
    setAccountEnabled: afterStart(accountHandlers.setAccountEnabled),
    trustCertificate: afterStart(accountHandlers.trustCertificate),
    acceptWeakerSignIn: afterStart(accountHandlers.acceptWeakerSignIn),
    forgetTrustedCertificate: afterStart(accountHandlers.forgetTrustedCertificate),
    removeAccount: afterStart(accountHandlers.removeAccount),
    reconnect: afterStart(accountHandlers.reconnect),
    goOffline: afterStart(accountHandlers.goOffline),
    chooseCredentialStore: afterStart(accountHandlers.chooseCredentialStore),
    fetchRegistrationForm: registration.fetchRegistrationForm,
    submitRegistration: afterStart(registration.submitRegistration),
    cancelRegistration: registration.cancelRegistration,
    // Picking reads files only, no account: it need not wait for start().
    pickClientCertificate: certificates.pickClientCertificate,
    discardClientCertificate: certificates.discardClientCertificate,
    setPresence: afterStart(accountHandlers.setPresence),
    addContact: afterStart(accountHandlers.addContact),
    approveSubscription: afterStart(accountHandlers.approveSubscription),
    denySubscription: afterStart(accountHandlers.denySubscription),
    sendMessage: afterStart(chatHandlers.sendMessage),
    correctMessage: afterStart(chatHandlers.correctMessage),
    sendChatState: afterStart(chatHandlers.sendChatState),
    history: afterStart(chatHandlers.history),
    conversations: afterStart(chatHandlers.conversations),
    markRead: afterStart(chatHandlers.markRead),
    search: afterStart(chatHandlers.search),
    deleteHistory: afterStart(chatHandlers.deleteHistory),
    openExternal: ({ url }) => deps.openExternal(url),
    // Staging files touches no account: it need not wait for start().
    beginFile: fileHandlers.beginFile,
    appendFile: fileHandlers.appendFile,
    finishFile: fileHandlers.finishFile,
    discardFile: fileHandlers.discardFile,
    sendFile: afterStart(fileHandlers.sendFile),
    cancelTransfer: fileHandlers.cancelTransfer,
    retryTransfer: fileHandlers.retryTransfer,
    dismissTransfer: fileHandlers.dismissTransfer,
    fileInfo: afterStart(fileHandlers.fileInfo),
    filePreview: afterStart(fileHandlers.filePreview),
    downloadFile: afterStart(fileHandlers.downloadFile),
    openDownload: fileHandlers.openDownload,
    showDownload: fileHandlers.showDownload,
  };

  return {
    handlers,
    files,
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start,
    async dispose() {
      certificates.dispose();
      await files?.dispose();
      await Promise.all([deps.accounts.dispose(), registration.dispose()]);
      stopForwarding();
      batcher.flush();
      batcher.dispose();
      listeners.clear();
    },
  };
}

/** A service made without file support (tests): every file command says so. */
function unavailableFileHandlers(): FileService["handlers"] {
  const unavailable = () => {
    throw new WrenError("not-available", "Wren cannot send or receive files here.");
  };
  return {
    beginFile: unavailable,
    appendFile: unavailable,
    finishFile: unavailable,
    discardFile: unavailable,
    sendFile: unavailable,
    cancelTransfer: unavailable,
    retryTransfer: unavailable,
    dismissTransfer: unavailable,
    fileInfo: unavailable,
    filePreview: unavailable,
    downloadFile: unavailable,
    openDownload: unavailable,
    showDownload: unavailable,
  };
}
