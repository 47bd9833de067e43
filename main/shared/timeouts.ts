import { errorName } from "./errors";
import { createLogger } from "./log";

const log = createLogger("shared/timeouts");

/** Raised by withTimeout when the work gave no answer in time. */
export class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * Settles like `work`, unless `ms` pass first: then rejects with `onTimeout()`. `work` keeps
 * running (it may not be cancellable, like a keychain call blocked in D-Bus); its late rejection is
 * logged here so it can never become an unhandled rejection. The timer never keeps a process alive.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let late = false;
  work.catch((error: unknown) => {
    // Before the deadline the race below hands the failure on; after it, only the log hears it.
    if (late) log.info("work failed after its deadline", { error: errorName(error) });
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(onTimeout());
    }, ms);
    timer.unref?.();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Settles like `work`, or rejects with a TimeoutError after `timeoutMs`. */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  return withDeadline(work, timeoutMs, () => new TimeoutError(timeoutMs));
}

/** A promise that only ever rejects, with a function to make it do so. Rejecting twice is a no-op. */
export function tripwire(): { promise: Promise<never>; trip: (error: unknown) => void } {
  let trip!: (error: unknown) => void;
  const promise = new Promise<never>((_, reject) => {
    trip = reject;
  });
  // Whoever races against it gets the reason; this only keeps a trip nobody awaits any more from
  // being reported as an unhandled rejection.
  promise.catch(() => {});
  return { promise, trip };
}
