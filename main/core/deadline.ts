/**
 * Settles like `work`, unless `ms` pass first: then rejects with `onTimeout()`. `work` keeps
 * running; its late rejection is absorbed here so it can never become an unhandled rejection.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** A promise that only ever rejects, with a function to make it do so. Rejecting twice is a no-op. */
export function tripwire(): { promise: Promise<never>; trip: (error: unknown) => void } {
  let trip!: (error: unknown) => void;
  const promise = new Promise<never>((_, reject) => {
    trip = reject;
  });
  promise.catch(() => {});
  return { promise, trip };
}
