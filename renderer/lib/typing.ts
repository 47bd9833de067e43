/** Chat states the person's side sends (XEP-0085). */
export type OwnChatState = "active" | "composing" | "paused";

export interface TypingTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** "Composing" again while typing goes on, at most this often. */
export const COMPOSING_EVERY_MS = 5_000;
/** No key for this long: "paused". */
export const PAUSED_AFTER_MS = 5_000;

const realTimers: TypingTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Tells the peer when the person types in the composer, without a stanza per key: "composing"
 * when typing starts and at most every few seconds while it goes on, "paused" after a few seconds
 * without typing, "active" when the draft is emptied. A message sent carries "active" itself.
 */
export class TypingNotifier {
  #state: OwnChatState = "active";
  #lastComposing = -Infinity;
  #idle: unknown = null;

  constructor(
    private readonly send: (state: OwnChatState) => void,
    private readonly timers: TypingTimers = realTimers,
  ) {}

  /** The draft changed (a key was typed, text pasted or deleted). */
  input(draft: string): void {
    if (draft.trim() === "") {
      this.#stopTimer();
      this.#tell("active");
      return;
    }
    const now = this.timers.now();
    if (this.#state !== "composing" || now - this.#lastComposing >= COMPOSING_EVERY_MS) {
      this.#lastComposing = now;
      this.#state = "composing";
      this.send("composing");
    }
    this.#stopTimer();
    this.#idle = this.timers.setTimeout(() => {
      this.#idle = null;
      this.#tell("paused");
    }, PAUSED_AFTER_MS);
  }

  /** The message went out: it said "active" itself. */
  sent(): void {
    this.#stopTimer();
    this.#state = "active";
  }

  /** The conversation closes: a peer still told "composing" learns it stopped. */
  dispose(): void {
    this.#stopTimer();
    if (this.#state === "composing") this.#tell("paused");
  }

  #tell(state: OwnChatState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.send(state);
  }

  #stopTimer(): void {
    if (this.#idle !== null) this.timers.clearTimeout(this.#idle);
    this.#idle = null;
  }
}
