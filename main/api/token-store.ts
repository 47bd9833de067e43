import { randomBytes } from "node:crypto";
import { systemClock, type Clock } from "../shared/clock";

export interface TokenStoreOptions {
  /** An entry is forgotten this long after it was added. */
  ttlMs: number;
  /** Entries kept at once; adding another forgets the oldest. */
  max: number;
  clock?: Clock;
}

/** Values main keeps for the renderer, which only ever sees the random token that names them. */
export interface TokenStore<T> {
  /** Keeps `value` under a new random token. */
  add(value: T): string;
  /** The value, unless the token is unknown, expired or deleted. */
  get(token: string): T | undefined;
  delete(token: string): void;
  clear(): void;
  readonly size: number;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
  timer: unknown;
}

export function createTokenStore<T>(options: TokenStoreOptions): TokenStore<T> {
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, Entry<T>>();

  const remove = (token: string) => {
    const entry = entries.get(token);
    if (!entry) return;
    clock.clearTimeout(entry.timer);
    entries.delete(token);
  };

  return {
    add(value) {
      // Insertion order is age order.
      while (entries.size >= Math.max(1, options.max)) remove(entries.keys().next().value!);
      const token = randomBytes(18).toString("base64url");
      entries.set(token, {
        value,
        expiresAt: clock.now() + options.ttlMs,
        timer: clock.setTimeout(() => remove(token), options.ttlMs),
      });
      return token;
    },

    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      // The timer may fire late (a machine waking from sleep): the deadline decides.
      if (clock.now() >= entry.expiresAt) {
        remove(token);
        return undefined;
      }
      return entry.value;
    },

    delete: remove,

    clear() {
      for (const token of [...entries.keys()]) remove(token);
    },

    get size() {
      return entries.size;
    },
  };
}
