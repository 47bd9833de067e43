import type { DiscoInfo } from "./parse";

/**
 * A Map that holds at most `limit` entries and forgets the least recently used first. Setting a
 * key makes it the newest; so does reading it when `touchOnGet` (an LRU cache), but not
 * otherwise (oldest first, for what remote senders fill).
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(
    readonly limit: number,
    private readonly touchOnGet = true,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined && this.touchOnGet) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.limit) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

export const CAPS_CACHE_LIMIT = 2000;

/**
 * Verified disco#info answers by caps hash and 'ver' (XEP-0115 §5.4: valid for every entity that
 * advertises them). Holds only answers whose hash was checked, so one instance may serve all
 * accounts.
 */
export class CapsCache {
  readonly #entries: BoundedMap<string, DiscoInfo>;

  constructor(limit = CAPS_CACHE_LIMIT) {
    this.#entries = new BoundedMap(limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(hash: string, ver: string): DiscoInfo | undefined {
    return this.#entries.get(cacheKey(hash, ver));
  }

  /** Only for an answer whose hash with `hash` was computed and equals `ver`. */
  set(hash: string, ver: string, info: DiscoInfo): void {
    this.#entries.set(cacheKey(hash, ver), info);
  }
}

function cacheKey(hash: string, ver: string): string {
  return `${hash} ${ver}`;
}
