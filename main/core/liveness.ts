import type { Clock } from "../shared/clock";

export interface LivenessTimings {
  /** Quiet time before a probe while the app is in the foreground. */
  foregroundIntervalMs: number;
  /** The same in the background: fewer wake-ups, slower detection. */
  backgroundIntervalMs: number;
  /** How long a probe may go unanswered before the link counts as dead. */
  timeoutMs: number;
}

/** Foreground: a dead link is noticed within about interval + timeout = 10 s. */
export const DEFAULT_LIVENESS: LivenessTimings = {
  foregroundIntervalMs: 5_000,
  backgroundIntervalMs: 60_000,
  timeoutMs: 5_000,
};

export interface LivenessDeps {
  /**
   * Asks the server for any answer (XEP-0199 ping, or XEP-0198 <r/>); resolves when it comes.
   * `signal` aborts when the answer no longer matters, so the probe can stop listening.
   */
  probe: (signal: AbortSignal) => Promise<void>;
  /** The server did not answer in time (or the probe failed): the link is dead. Called once. */
  onDead: () => void;
  clock: Clock;
  timings?: Partial<LivenessTimings>;
  foreground?: boolean;
}

/**
 * Notices a connection that died silently (no FIN, no RST: a sleeping router, a dropped Wi-Fi):
 * after a quiet interval it probes, and declares the link dead if the probe is not answered.
 * Anything received counts as a sign of life and postpones the next probe.
 */
export class Liveness {
  readonly #deps: LivenessDeps;
  readonly #timings: LivenessTimings;
  #foreground: boolean;
  #running = false;
  #timer: unknown = null;
  #probing: AbortController | null = null;

  constructor(deps: LivenessDeps) {
    this.#deps = deps;
    this.#timings = { ...DEFAULT_LIVENESS, ...deps.timings };
    this.#foreground = deps.foreground ?? true;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.#interval());
  }

  stop(): void {
    this.#running = false;
    this.#clear();
    this.#probing?.abort();
    this.#probing = null;
  }

  /** Something arrived from the server: the link is alive for now. */
  activity(): void {
    if (!this.#running) return;
    if (this.#probing) this.#answered();
    else this.#schedule(this.#interval());
  }

  setForeground(foreground: boolean): void {
    if (foreground === this.#foreground) return;
    this.#foreground = foreground;
    // Coming back to the foreground after a long background spell: check soon, not in a minute.
    if (this.#running && !this.#probing) this.#schedule(this.#interval());
  }

  /** Probe now (after the machine woke up, or when asked to reconnect while online). */
  probeNow(): void {
    if (this.#running && !this.#probing) this.#probe();
  }

  #interval(): number {
    return this.#foreground
      ? this.#timings.foregroundIntervalMs
      : this.#timings.backgroundIntervalMs;
  }

  #schedule(ms: number): void {
    this.#clear();
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#timer = null;
      if (this.#running) this.#probe();
    }, ms);
  }

  #probe(): void {
    this.#clear();
    const probing = new AbortController();
    this.#probing = probing;
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#timer = null;
      if (this.#probing === probing) this.#dead();
    }, this.#timings.timeoutMs);
    this.#deps.probe(probing.signal).then(
      () => {
        if (this.#probing === probing) this.#answered();
      },
      () => {
        if (this.#probing === probing) this.#dead();
      },
    );
  }

  #answered(): void {
    this.#probing?.abort();
    this.#probing = null;
    this.#schedule(this.#interval());
  }

  #dead(): void {
    this.stop();
    this.#deps.onDead();
  }

  #clear(): void {
    if (this.#timer !== null) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
