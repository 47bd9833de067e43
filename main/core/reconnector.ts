import { asWrenError, type WrenError } from "../shared/errors";
import { Backoff } from "./backoff";
import type { Clock } from "../shared/clock";
import { isRetryable } from "./errors";
import { RetrySchedule } from "./retry-schedule";

export type ReconnectorState = "idle" | "waiting" | "attempting" | "stopped";

export interface ReconnectorDeps {
  /** One attempt to get back online; resolves once online, rejects with why it failed. */
  attempt: () => Promise<void>;
  /** A failure that retrying cannot fix (wrong password, bad certificate…). No more attempts. */
  onGiveUp: (error: WrenError) => void;
  /** The next attempt is `delayMs` away; `error` is why the link or the last attempt failed. */
  onWaiting?: (delayMs: number, error: WrenError) => void;
  /** An attempt succeeded. */
  onReconnected?: () => void;
  clock: Clock;
  backoff?: Backoff;
}

/**
 * Brings a lost connection back: attempts on a backoff schedule until one succeeds, one fails in a
 * way that needs the person, or stop() is called. The first sign-in is not its business: a
 * failed start() is reported to the person at once.
 */
export class Reconnector {
  readonly #deps: ReconnectorDeps;
  readonly #backoff: Backoff;
  readonly #retries: RetrySchedule;
  #state: ReconnectorState = "idle";
  /** Bumped whenever a running attempt's outcome stops mattering (stop(), a new connection). */
  #run = 0;

  constructor(deps: ReconnectorDeps) {
    this.#deps = deps;
    this.#backoff = deps.backoff ?? new Backoff();
    this.#retries = new RetrySchedule(deps.clock, this.#backoff);
  }

  get state(): ReconnectorState {
    return this.#state;
  }

  /** The connection is up (a sign-in or an attempt succeeded). Also re-arms after stop(). */
  connected(): void {
    this.#cancel();
    this.#state = "idle";
    this.#backoff.connected(this.#deps.clock.now());
  }

  /** The live connection was lost. Ignored unless connected (idle). */
  lost(error: WrenError): void {
    if (this.#state !== "idle") return;
    this.#backoff.disconnected(this.#deps.clock.now());
    this.#afterFailure(error);
  }

  /** Network back, machine awake, or the person asked: skip the wait. No-op unless waiting. */
  retryNow(): void {
    if (this.#state !== "waiting") return;
    this.#cancel();
    void this.#attempt();
  }

  /** Go offline: no more attempts, and a running attempt's outcome is ignored. */
  stop(): void {
    this.#cancel();
    this.#state = "stopped";
  }

  #afterFailure(error: WrenError): void {
    if (!isRetryable(error)) {
      this.#state = "stopped";
      this.#deps.onGiveUp(error);
      return;
    }
    this.#state = "waiting";
    const delay = this.#retries.schedule(() => void this.#attempt());
    this.#deps.onWaiting?.(delay, error);
  }

  async #attempt(): Promise<void> {
    this.#state = "attempting";
    const run = ++this.#run;
    try {
      await this.#deps.attempt();
    } catch (error) {
      // A superseded attempt (stop(), retryNow()) fails as cancelled; nothing is left to decide.
      if (run !== this.#run || this.#state !== "attempting") return;
      this.#afterFailure(asWrenError(error));
      return;
    }
    if (run !== this.#run || this.#state !== "attempting") return;
    this.connected();
    this.#deps.onReconnected?.();
  }

  #cancel(): void {
    this.#run++;
    this.#retries.cancel();
  }
}
