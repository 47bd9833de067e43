interface Entry<T> {
  promise: Promise<T>;
  /** Set once the answer arrived. */
  settled: { value: T } | null;
  /** Pushed out while its answer was on the way: disposed of as soon as it arrives. */
  evicted: boolean;
}

/**
 * Answers to a question asked of main once per key (a file's details, an image decoded), the most
 * recently used `limit` kept. `dispose` frees what an answer holds (an ImageBitmap) once pushed out.
 */
export class BoundedCache<T> {
  readonly #limit: number;
  readonly #dispose: ((value: T) => void) | undefined;
  #entries = new Map<string, Entry<T>>();

  constructor(limit: number, dispose?: (value: T) => void) {
    this.#limit = limit;
    this.#dispose = dispose;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The answer when it has arrived; undefined while it has not (or was never asked for). */
  peek(key: string): T | undefined {
    const entry = this.#touch(key);
    return entry?.settled ? entry.settled.value : undefined;
  }

  /** The answer for `key`, asking once: later calls share the first call's answer. */
  get(key: string, ask: () => Promise<T>): Promise<T> {
    const known = this.#touch(key);
    if (known) return known.promise;
    const entry: Entry<T> = { promise: ask(), settled: null, evicted: false };
    entry.promise.then(
      (value) => {
        entry.settled = { value };
        if (entry.evicted) this.#dispose?.(value);
      },
      () => {
        // A failed question is asked again next time.
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value as string;
      this.#evict(oldest);
    }
    return entry.promise;
  }

  /** Forgets every entry whose key starts with `prefix` (an account's, when it is removed). */
  forgetPrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix)) this.#evict(key);
    }
  }

  clear(): void {
    for (const key of [...this.#entries.keys()]) this.#evict(key);
  }

  /** Marks `key` the most recently used. */
  #touch(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #evict(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    entry.evicted = true;
    if (entry.settled) this.#dispose?.(entry.settled.value);
  }
}
