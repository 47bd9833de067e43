import type { Clock } from "../shared/clock";
import type { Backoff } from "./backoff";

/**
 * One retry waiting at a time, each one step further along a backoff. The timing half of both
 * retry loops: the session's Reconnector and the account manager's retry of a failed first sign-in.
 */
export class RetrySchedule {
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  #timer: unknown = null;

  constructor(clock: Clock, backoff: Backoff) {
    this.#clock = clock;
    this.#backoff = backoff;
  }

  /** Calls `retry` after the backoff's next delay, instead of any retry still waiting; returns the delay. */
  schedule(retry: () => void): number {
    this.cancel();
    const delay = this.#backoff.next();
    const timer = this.#clock.setTimeout(() => {
      // Only the latest timer counts, whatever the clock does with the ones it was told to clear.
      if (timer !== this.#timer) return;
      this.#timer = null;
      retry();
    }, delay);
    this.#timer = timer;
    return delay;
  }

  cancel(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
