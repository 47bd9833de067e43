import type { Database } from "better-sqlite3";
import {
  toPlainError,
  type StoreMethod,
  type StoreRequest,
  type StoreResponse,
  type StoreWorkerMessage,
} from "../protocol";
import { UnwrittenMessages } from "./duplicate-rules";
import type { History, ImmediateMethod } from "./history";

/** At most this many writes share one transaction; more wait for the next. */
export const MAX_BATCH = 5_000;

const WRITES: ReadonlySet<StoreMethod> = new Set(["add", "addUnlessDuplicate", "update"]);

// Requests that only read. Consecutive ones share one read transaction: outside a transaction
// each statement opens its own, which in WAL mode costs several times the lookup itself (a
// duplicate check of a catch-up's message took 9 µs on its own, 1.5 µs in company).
const READS: ReadonlySet<StoreMethod> = new Set([
  "findDuplicate",
  "findByReference",
  "page",
  "unacknowledged",
  "conversations",
  "syncState",
  "archiveComplete",
  "search",
]);

export interface StoreService {
  /** The requests main sent in one message, answered in order (one message for all answers). */
  handle(requests: StoreRequest[]): void;
}

/**
 * Answers main's requests, in the order they came. Writes are queued and committed together once
 * the requests that arrived with them are read (setImmediate runs after the port has delivered
 * what it holds; while a commit runs, the next requests gather): one transaction, one INSERT and
 * one FTS5 flush for a burst instead of one per message. Any other request first commits what is
 * queued, so it sees every write made before it. Nothing a request does can throw out of here:
 * errors are answers.
 */
export function createStoreService(options: {
  db: Database;
  history: History;
  post: (message: StoreWorkerMessage) => void;
  onClosed: () => void;
}): StoreService {
  const { db, history, post, onClosed } = options;
  let queue: StoreRequest[] = [];
  let answers: StoreResponse[] = [];
  let scheduled = false;
  let closed = false;

  const commit = db.transaction((batch: StoreRequest[]) => applyWrites(history, batch));

  function answer(request: StoreRequest, value: unknown): void {
    answers.push({ id: request.id, ok: true, value });
  }

  function fail(request: StoreRequest, error: unknown): void {
    answers.push({ id: request.id, ok: false, error: toPlainError(error) });
  }

  function send(): void {
    if (answers.length === 0) return;
    const sending = answers;
    answers = [];
    post(sending);
  }

  function flush(): void {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      let values: unknown[];
      try {
        values = commit(batch);
      } catch (error) {
        if (batch.length === 1) {
          fail(batch[0]!, error);
          continue;
        }
        // Rolled back as a whole: again one by one, so that only what fails fails.
        post({
          log: "warn",
          message: "a batch of writes failed; retrying them one by one",
          data: { writes: batch.length, error: toPlainError(error).code ?? "unknown" },
        });
        for (const request of batch) {
          try {
            answer(request, commit([request])[0]);
          } catch (single) {
            fail(request, single);
          }
        }
        continue;
      }
      batch.forEach((request, index) => answer(request, values[index]));
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      try {
        flush();
      } finally {
        send();
      }
    });
  }

  function immediate(request: StoreRequest): unknown {
    const call = request as ImmediateRequest;
    const method = Object.hasOwn(history, call.method)
      ? (history[call.method] as (...args: unknown[]) => unknown)
      : undefined;
    if (typeof method !== "function") {
      throw new TypeError(`unknown store method ${String(call.method)}`);
    }
    return method(...call.args);
  }

  function close(request: StoreRequest): void {
    flush();
    closed = true;
    try {
      db.close();
      answer(request, undefined);
    } catch (error) {
      fail(request, error);
    }
    send();
    onClosed();
  }

  function handleOne(request: StoreRequest): void {
    try {
      if (closed) throw new Error("the message store is closed");
      if (WRITES.has(request.method)) {
        queue.push(request);
        schedule();
      } else if (request.method === "close") {
        close(request);
      } else {
        flush();
        answer(request, immediate(request));
      }
    } catch (error) {
      fail(request, error);
    }
  }

  /** Answers `reads` in one read transaction, after committing the writes queued before them. */
  function readTogether(reads: StoreRequest[]): void {
    flush();
    let answered = 0;
    try {
      db.transaction(() => {
        for (const request of reads) {
          try {
            answer(request, immediate(request));
          } catch (error) {
            fail(request, error);
          }
          answered++;
        }
      })();
    } catch {
      // The transaction could not begin (or end): what it did not answer is asked on its own.
    }
    for (const request of reads.slice(answered)) handleOne(request);
  }

  return {
    handle(requests) {
      for (let i = 0; i < requests.length;) {
        let end = i;
        while (!closed && end < requests.length && READS.has(requests[end]!.method)) end++;
        if (end - i > 1) {
          readTogether(requests.slice(i, end));
          i = end;
        } else {
          handleOne(requests[i]!);
          i++;
        }
      }
      send();
    },
  };
}

type AnyRequest = { [M in StoreMethod]: StoreRequest<M> }[StoreMethod];
type ImmediateRequest = { [M in ImmediateMethod]: StoreRequest<M> }[ImmediateMethod];

/** The queued writes in order, inside the caller's transaction; one value per request. */
function applyWrites(history: History, batch: StoreRequest[]): unknown[] {
  const values: unknown[] = [];
  // Consecutive adds go into one INSERT. A duplicate check looks at them as well as at the
  // database; an update first inserts what came before it.
  let pending = new UnwrittenMessages();
  const insertPending = () => {
    history.insert(pending.messages);
    pending = new UnwrittenMessages();
  };
  for (const request of batch as AnyRequest[]) {
    switch (request.method) {
      case "add":
        pending.add(request.args[0]);
        values.push(undefined);
        break;
      case "addUnlessDuplicate": {
        const [message, probe] = request.args;
        const duplicate = history.findDuplicate(probe, pending);
        if (!duplicate) pending.add(message);
        values.push(duplicate);
        break;
      }
      case "update":
        insertPending();
        values.push(history.update(...request.args));
        break;
      default:
        throw new TypeError(`${request.method} is not a write`);
    }
  }
  insertPending();
  return values;
}
