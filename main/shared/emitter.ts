import { errorName } from "./errors";
import { createLogger } from "./log";

const log = createLogger("shared/emitter");

type Listener = (...args: never[]) => void;

/** A tiny typed event emitter. A listener that throws cannot break the emitter or other listeners. */
export class Emitter<Events extends { [K in keyof Events]: Listener }> {
  #listeners = new Map<keyof Events, Set<Listener>>();

  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) =>
      log.error("an event listener failed", { error: errorName(error) }, error),
  ) {}

  /** Returns the function that removes the listener again. */
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (...a: Parameters<Events[E]>) => void)(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
