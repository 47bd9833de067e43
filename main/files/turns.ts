/**
 * At most `size` holders at once; the others wait in order. A wait ends early, without a turn,
 * when its signal aborts.
 */
export class Turns {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** A turn now, if one is free (its release function); null when the caller must wait. */
  tryTake(): (() => void) | null {
    if (this.#free === 0) return null;
    this.#free--;
    return this.#releaser();
  }

  /** Resolves with a release function once it is this caller's turn; rejects when aborted first. */
  take(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener("abort", giveUp);
        resolve(this.#releaser());
      };
      const giveUp = () => {
        const at = this.#waiting.indexOf(go);
        if (at !== -1) this.#waiting.splice(at, 1);
        reject(signal.reason);
      };
      this.#waiting.push(go);
      signal.addEventListener("abort", giveUp, { once: true });
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
