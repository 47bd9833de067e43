import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { errorName, WrenError } from "../shared/errors";
import { createLogger } from "../shared/log";
import type { MessageStore } from "./message-store";
import {
  OPEN_REQUEST_ID,
  SCHEMA_TOO_NEW,
  type OpenResult,
  type PlainError,
  type StoreMethod,
  type StoreRequest,
  type StoreRequests,
  type StoreResponse,
  type StoreWorkerData,
  type StoreWorkerMessage,
} from "./protocol";

const log = createLogger("app/store");

const UNUSABLE = "Wren could not read or write its message history. The details are in the log.";
const UNOPENABLE = "Wren could not open its message history. The details are in the log.";
const TOO_NEW =
  "Your message history was saved by a newer version of Wren. Update Wren to open it; " +
  "it has been left as it is.";

export interface OpenMessageStoreOptions {
  /** The database file; created (and its folder) if missing, readable by its owner only. */
  path: string;
  /** The worker's entry module; by default the one beside this module (see defaultWorkerUrl). */
  workerUrl?: URL;
}

/** An error from the worker: SQLite's code (e.g. SQLITE_CONSTRAINT_UNIQUE) is kept. */
export class StoreError extends Error {
  readonly code: string | undefined;
  constructor(plain: PlainError) {
    super(plain.message);
    this.name = plain.name;
    this.code = plain.code;
  }
}

/**
 * Where the worker is. From source (tsx, vitest) this module is open-store.ts and the worker is
 * TypeScript beside it. Bundled, this module is part of out/main/index.js (or one of its chunks,
 * which electron.vite.config.ts keeps in the same folder) and the worker is its own entry there,
 * out/main/store-worker.js — inside app.asar in a release, which worker threads read like any
 * other module. A caller that knows better passes workerUrl.
 */
export function defaultWorkerUrl(moduleUrl: string = import.meta.url): URL {
  return new URL(
    moduleUrl.endsWith(".ts") ? "./worker/store-worker.ts" : "./store-worker.js",
    moduleUrl,
  );
}

/**
 * Starts the store's worker thread, which opens (creating or migrating) the database at `path`.
 * Resolves once it is ready; rejects with a WrenError a person can read if it cannot be opened
 * (a database from a newer Wren is refused, untouched).
 */
export async function openMessageStore(options: OpenMessageStoreOptions): Promise<MessageStore> {
  const workerUrl = options.workerUrl ?? defaultWorkerUrl();
  const workerData: StoreWorkerData = { path: options.path };
  const worker = new Worker(workerUrl, {
    workerData,
    name: "wren-store",
    ...(workerUrl.pathname.endsWith(".ts") ? { execArgv: typeScriptExecArgv() } : {}),
  });

  type Pending = {
    method: StoreMethod | "open";
    resolve: (value: unknown) => void;
    reject: (error: Error) => void;
  };
  const pending = new Map<number, Pending>();
  let nextId = OPEN_REQUEST_ID + 1;
  // Set once the worker cannot answer any more: every call from then on rejects with it.
  let stopped: WrenError | null = null;
  let closing: Promise<void> | null = null;

  const opened = new Promise<OpenResult>((resolve, reject) => {
    pending.set(OPEN_REQUEST_ID, {
      method: "open",
      resolve: (value) => resolve(value as OpenResult),
      reject,
    });
  });

  function stop(reason: WrenError): void {
    stopped ??= reason;
    for (const [id, request] of pending) {
      pending.delete(id);
      request.reject(request.method === "open" ? new WrenError("internal", UNOPENABLE) : stopped);
    }
  }

  worker.on("message", (message: StoreWorkerMessage) => {
    if (Array.isArray(message)) {
      for (const response of message) settle(response);
      return;
    }
    log[message.log](`worker: ${message.message}`, ...(message.data ? [message.data] : []));
  });
  worker.on("error", (error) => {
    // An exception nothing in the worker caught: the thread is gone.
    log.error("the message store's worker failed", errorName(error), describe(error));
    stop(new WrenError("internal", UNUSABLE, { cause: error }));
  });
  worker.on("exit", (code) => {
    if (!closing && !stopped) log.error(`the message store's worker stopped (exit code ${code})`);
    stop(new WrenError("internal", UNUSABLE));
  });

  function settle(response: StoreResponse): void {
    const request = pending.get(response.id);
    if (!request) return;
    pending.delete(response.id);
    if (response.ok) {
      request.resolve(response.value);
      return;
    }
    const cause = new StoreError(response.error);
    if (request.method === "open") {
      if (cause.code === SCHEMA_TOO_NEW) {
        log.error("the message database is from a newer Wren", cause.message);
        request.reject(new WrenError("internal", TOO_NEW, { cause }));
      } else {
        log.error("could not open the message database", describe(cause));
        request.reject(new WrenError("internal", UNOPENABLE, { cause }));
      }
      return;
    }
    // A search's error might quote the words searched for; other SQLite messages hold no text.
    log.error(
      `message store: ${request.method} failed`,
      request.method === "search" ? { name: cause.name, code: cause.code } : describe(cause),
    );
    request.reject(new WrenError("internal", UNUSABLE, { cause }));
  }

  // The requests made in one tick go to the worker as one message.
  let outgoing: StoreRequest[] = [];
  const sendOutgoing = () => {
    const requests = outgoing;
    outgoing = [];
    if (!stopped) worker.postMessage(requests satisfies StoreRequests);
  };

  function call<M extends StoreMethod>(
    method: M,
    ...args: Parameters<MessageStore[M]>
  ): Promise<Awaited<ReturnType<MessageStore[M]>>> {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    const request: StoreRequest<M> = { id, method, args };
    return new Promise((resolve, reject) => {
      pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      if (outgoing.push(request) === 1) queueMicrotask(sendOutgoing);
    });
  }

  let openResult: OpenResult;
  try {
    openResult = await opened;
  } catch (error) {
    closing = worker.terminate().then(() => undefined);
    await closing;
    throw error;
  }
  log.info("message history open", {
    path: options.path,
    schemaVersion: openResult.schemaVersion,
    ...(openResult.migratedFrom !== openResult.schemaVersion
      ? { migratedFrom: openResult.migratedFrom }
      : {}),
  });

  return {
    add: (message) => call("add", message),
    addUnlessDuplicate: (message, probe) => call("addUnlessDuplicate", message, probe),
    findDuplicate: (probe) => call("findDuplicate", probe),
    update: (id, changes) => call("update", id, changes),
    findByReference: (reference) => call("findByReference", reference),
    page: (query) => call("page", query),
    unacknowledged: (accountId) => call("unacknowledged", accountId),
    conversations: (accountId, limit) => call("conversations", accountId, limit),
    markRead: (accountId, conversation, upTo) => call("markRead", accountId, conversation, upTo),
    syncState: (accountId) => call("syncState", accountId),
    saveSyncState: (accountId, state) => call("saveSyncState", accountId, state),
    archiveComplete: (accountId, conversation) => call("archiveComplete", accountId, conversation),
    setArchiveComplete: (accountId, conversation) =>
      call("setArchiveComplete", accountId, conversation),
    search: (query) => call("search", query),
    deleteConversation: (accountId, conversation) =>
      call("deleteConversation", accountId, conversation),
    deleteAccount: (accountId) => call("deleteAccount", accountId),
    close() {
      closing ??= (async () => {
        if (!stopped) {
          const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
          try {
            await call("close");
          } catch {
            // Already logged; the thread is ended below either way.
          }
          stopped = new WrenError("internal", UNUSABLE);
          await Promise.race([exited, delay(CLOSE_GRACE_MS)]);
        }
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/** How long close() lets the worker end on its own before it is terminated. */
const CLOSE_GRACE_MS = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** For the log: the error's kind, SQLite's code and message (which never holds a message body). */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}

/** Lets the worker load TypeScript (from source: tests, tsx, the preview), through tsx. */
function typeScriptExecArgv(): string[] {
  const inherited = process.execArgv;
  if (inherited.some((arg) => arg.includes("tsx"))) return [...inherited];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [...inherited, "--import", tsx];
}
