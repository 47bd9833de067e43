import type { Clock } from "./shared/clock";
import type { ConnectivitySignals } from "./core/connectivity";

// The parts of Electron that tell us about the network, sleep and focus. Injected, so the wiring is
// tested in plain Node; main/index.ts passes Electron's own objects.

interface EventSource<Name extends string> {
  on(event: Name, listener: () => void): unknown;
  removeListener(event: Name, listener: () => void): unknown;
}

export interface ConnectivityDeps {
  /** Electron's powerMonitor: "resume" after sleep, "unlock-screen" after the lock screen. */
  powerMonitor: EventSource<"resume" | "unlock-screen">;
  /** Electron's app: any Wren window gaining or losing focus. */
  app: EventSource<"browser-window-focus" | "browser-window-blur">;
  /** Electron's net.isOnline(): main has no "online" event, so it is polled. */
  isOnline: () => boolean;
  clock: Clock;
  pollMs?: number;
}

export interface ElectronConnectivity extends ConnectivitySignals {
  dispose(): void;
}

const DEFAULT_POLL_MS = 3_000;

export function createElectronConnectivity(deps: ConnectivityDeps): ElectronConnectivity {
  const networkUp = new Set<() => void>();
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  let online = deps.isOnline();
  let timer: unknown = null;

  const poll = () => {
    const now = deps.isOnline();
    const cameBack = now && !online;
    online = now;
    if (cameBack) for (const callback of [...networkUp]) callback();
    timer = deps.clock.setTimeout(poll, pollMs);
  };
  timer = deps.clock.setTimeout(poll, pollMs);

  return {
    onNetworkUp(callback) {
      networkUp.add(callback);
      return () => {
        networkUp.delete(callback);
      };
    },
    onResume(callback) {
      deps.powerMonitor.on("resume", callback);
      deps.powerMonitor.on("unlock-screen", callback);
      return () => {
        deps.powerMonitor.removeListener("resume", callback);
        deps.powerMonitor.removeListener("unlock-screen", callback);
      };
    },
    onForegroundChange(callback) {
      const focused = () => callback(true);
      const blurred = () => callback(false);
      deps.app.on("browser-window-focus", focused);
      deps.app.on("browser-window-blur", blurred);
      return () => {
        deps.app.removeListener("browser-window-focus", focused);
        deps.app.removeListener("browser-window-blur", blurred);
      };
    },
    dispose() {
      if (timer !== null) deps.clock.clearTimeout(timer);
      timer = null;
      networkUp.clear();
    },
  };
}
