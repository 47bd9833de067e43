/** Bytes per second over the last few seconds of a transfer, from (time, bytes so far) samples. */
export class TransferRate {
  readonly #samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 3000,
    private readonly minimumSpanMs = 500,
  ) {}

  add(at: number, bytes: number): void {
    const samples = this.#samples;
    samples.push({ at, bytes });
    // Keep one sample older than the window, so the span covers the whole window.
    while (samples.length > 2 && at - (samples[1] as { at: number }).at >= this.windowMs) {
      samples.shift();
    }
  }

  /** Null until the samples span enough time to mean something. */
  perSecond(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.at - first.at < this.minimumSpanMs) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }
}
