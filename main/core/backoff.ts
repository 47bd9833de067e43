/**
 * How long to wait before each reconnect attempt: exponential (1 s, 2 s, 4 s, … up to 60 s) with
 * jitter, so that many clients cut off by the same outage do not all come back in the same second.
 * Pure: the random source and the times are passed in.
 */

export type Jitter = "none" | "full" | "equal";

export interface BackoffOptions {
  baseMs: number;
  factor: number;
  capMs: number;
  /**
   * "full": anywhere in [0, ceiling]; "equal": in [ceiling/2, ceiling], so a retry never comes at
   * once after a failure; "none": exactly the ceiling.
   */
  jitter: Jitter;
  /** A connection that lasted this long counts as stable: the schedule starts again from the base. */
  stableAfterMs: number;
  /** In [0, 1), like Math.random. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 1_000,
  factor: 2,
  capMs: 60_000,
  jitter: "equal",
  stableAfterMs: 30_000,
  random: Math.random,
};

/** The un-jittered delay before attempt number `attempt` (0 for the first). */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const raw = options.baseMs * options.factor ** Math.max(0, attempt);
  return Math.min(options.capMs, Number.isFinite(raw) ? raw : options.capMs);
}

/** The delay before attempt number `attempt`, jitter applied. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, options);
  const random = Math.min(Math.max(options.random(), 0), 1);
  switch (options.jitter) {
    case "none":
      return ceiling;
    case "full":
      return Math.round(random * ceiling);
    case "equal":
      return Math.round(ceiling / 2 + (random * ceiling) / 2);
  }
}

/** The schedule of one connection: which attempt comes next, and when it restarts from the base. */
export class Backoff {
  readonly #options: BackoffOptions;
  #attempt = 0;
  #connectedAt: number | null = null;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.#options = { ...DEFAULT_BACKOFF, ...options };
  }

  /** Attempts made since the schedule last started again. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call moves one step along the schedule. */
  next(): number {
    return backoffDelay(this.#attempt++, this.#options);
  }

  reset(): void {
    this.#attempt = 0;
  }

  connected(now: number): void {
    this.#connectedAt = now;
  }

  /** The connection was lost; if it had been stable, the next attempt waits the base delay again. */
  disconnected(now: number): void {
    if (this.#connectedAt !== null && now - this.#connectedAt >= this.#options.stableAfterMs) {
      this.reset();
    }
    this.#connectedAt = null;
  }
}
