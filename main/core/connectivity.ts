/**
 * What the operating system tells us about connectivity. Pure Node: the Electron implementation
 * (powerMonitor 'resume' and 'unlock-screen', the window's focus, online events) lives in main/ and
 * is injected. Each method returns the function that unsubscribes again.
 */
export interface ConnectivitySignals {
  /** The network came back: a waiting reconnect should try at once. */
  onNetworkUp(callback: () => void): () => void;
  /** The machine woke from sleep (or the screen was unlocked): connections may be dead. */
  onResume(callback: () => void): () => void;
  /** The app came to the foreground (true) or left it (false): liveness checks speed up or slow down. */
  onForegroundChange(callback: (foreground: boolean) => void): () => void;
}

/** Signals that never fire: a session without them still reconnects, on its backoff schedule. */
export const noSignals: ConnectivitySignals = {
  onNetworkUp: () => () => {},
  onResume: () => () => {},
  onForegroundChange: () => () => {},
};

/** Signals fired by hand: for tests, and for hosts (like the preview) without an OS to ask. */
export class ManualSignals implements ConnectivitySignals {
  readonly #networkUp = new Set<() => void>();
  readonly #resume = new Set<() => void>();
  readonly #foreground = new Set<(foreground: boolean) => void>();

  onNetworkUp(callback: () => void): () => void {
    return subscribe(this.#networkUp, callback);
  }

  onResume(callback: () => void): () => void {
    return subscribe(this.#resume, callback);
  }

  onForegroundChange(callback: (foreground: boolean) => void): () => void {
    return subscribe(this.#foreground, callback);
  }

  networkUp(): void {
    for (const callback of [...this.#networkUp]) callback();
  }

  resume(): void {
    for (const callback of [...this.#resume]) callback();
  }

  foreground(foreground: boolean): void {
    for (const callback of [...this.#foreground]) callback(foreground);
  }

  /** How many listeners are attached, to check that a stopped session let go. */
  listenerCount(): number {
    return this.#networkUp.size + this.#resume.size + this.#foreground.size;
  }
}

function subscribe<T>(set: Set<T>, callback: T): () => void {
  set.add(callback);
  return () => {
    set.delete(callback);
  };
}
