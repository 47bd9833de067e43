// The map is published by replacing a $state.raw field, so a plain Map is what is wanted.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { CatchUpProgress } from "../../../preload/contract";

/**
 * Accounts fetching what they missed from their server's archive, and those whose last catch-up
 * failed: what the small indicator shows. A finished catch-up leaves nothing behind.
 */
export class CatchUpState {
  #progress = $state.raw<ReadonlyMap<string, CatchUpProgress>>(new Map());

  /** By account id. */
  get all(): ReadonlyMap<string, CatchUpProgress> {
    return this.#progress;
  }

  set(accountId: string, progress: CatchUpProgress): void {
    const next = new Map(this.#progress);
    if (progress.running || progress.error !== undefined) next.set(accountId, progress);
    else if (!next.delete(accountId)) return;
    this.#progress = next;
  }

  remove(accountId: string): void {
    if (!this.#progress.has(accountId)) return;
    const next = new Map(this.#progress);
    next.delete(accountId);
    this.#progress = next;
  }
}
