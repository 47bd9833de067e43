import type { Client } from "@xmpp/client";
import type { Clock } from "../../shared/clock";
import type { ConnectivitySignals } from "../connectivity";
import { Liveness, type LivenessTimings } from "../liveness";
import { probeServer } from "../probe";

export interface LinkWatchDeps {
  clock: Clock;
  domain: string;
  signals: ConnectivitySignals;
  timings?: Partial<LivenessTimings>;
  /** The network came back or the machine woke up: check or reconnect at once. */
  onWake: () => void;
}

/**
 * Notices a dead link: probes the live connection (more often in the foreground), and listens to
 * the OS's network-back, wake-up and foreground signals while the account is signed in.
 */
export class LinkWatch {
  #liveness: Liveness | null = null;
  #foreground = true;
  #unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: LinkWatchDeps) {}

  /** Starts probing `entity`; `onDead` runs when it stops answering. */
  watch(entity: Client, onDead: () => void): void {
    this.stopProbing();
    const liveness = new Liveness({
      clock: this.deps.clock,
      timings: this.deps.timings,
      foreground: this.#foreground,
      probe: (signal) => probeServer(entity, this.deps.domain, signal),
      onDead,
    });
    this.#liveness = liveness;
    liveness.start();
  }

  /** Anything from the server shows the link is alive. */
  activity(): void {
    this.#liveness?.activity();
  }

  probeNow(): void {
    this.#liveness?.probeNow();
  }

  stopProbing(): void {
    this.#liveness?.stop();
    this.#liveness = null;
  }

  listen(): void {
    if (this.#unsubscribe.length > 0) return;
    const { signals, onWake } = this.deps;
    this.#unsubscribe = [
      signals.onNetworkUp(onWake),
      signals.onResume(onWake),
      signals.onForegroundChange((foreground) => {
        this.#foreground = foreground;
        this.#liveness?.setForeground(foreground);
      }),
    ];
  }

  stopListening(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }
}
