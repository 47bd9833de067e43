/** How many peers a PeerMemory remembers; the longest unused are forgotten first. */
const MAX_PEERS = 5_000;

/**
 * A small bounded map from a peer's bare JID to what we remember of it this run (whether it
 * uses chat states, its newest markable message): a stranger who writes from many addresses
 * cannot make it grow without bound.
 */
export class PeerMemory<T> {
  readonly #entries = new Map<string, T>();

  constructor(private readonly max = MAX_PEERS) {}

  get(peer: string): T | undefined {
    return this.#entries.get(peer);
  }

  set(peer: string, value: T): void {
    this.#entries.delete(peer);
    this.#entries.set(peer, value);
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** Returns and forgets what is remembered of `peer`. */
  take(peer: string): T | undefined {
    const value = this.#entries.get(peer);
    this.#entries.delete(peer);
    return value;
  }
}
