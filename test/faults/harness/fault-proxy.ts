import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP proxy between one Wren and its server, to break the link in the ways networks break:
 * - hold("up") / hold("down"): one direction of the current connections stops forwarding; bytes
 *   (and an end) wait at the proxy, as on a link that went silent. Nothing is noticed until a side
 *   expects an answer. release() forwards what waited, in order.
 * - reset(): both sockets of every connection are reset (RST), as when a router reboots.
 * - refuse(true): new connections are reset as soon as they arrive, as while the server is down.
 * - delay(ms, sliceBytes): what the server sends trickles in slices of `sliceBytes`, each waiting
 *   `ms` (a slow link), in order.
 * TLS passes through untouched, so the proxy never reads stanzas: tests count bytes (a message
 * with a large body is a large record) and act right after the proxy forwarded them.
 *
 * "up" is client → server, "down" is server → client.
 */
export type Direction = "up" | "down";

export interface FaultLink {
  readonly id: number;
  /** Bytes the proxy took in so far in each direction (forwarded or not). */
  readonly received: Record<Direction, number>;
  /** Bytes forwarded so far in each direction. */
  readonly forwarded: Record<Direction, number>;
  /** Bytes waiting at the proxy (held or delayed) in each direction. */
  readonly waiting: Record<Direction, number>;
  readonly open: boolean;
  hold(direction: Direction): void;
  isHeld(direction: Direction): boolean;
  /** Forwards, synchronously, what waited in `direction` (an end included), and goes on forwarding. */
  release(direction: Direction): void;
  reset(): void;
}

export interface FaultProxy {
  port: number;
  /** Every connection accepted and forwarded, oldest first. */
  links(): FaultLink[];
  /** The newest connection that is still open. */
  current(): FaultLink | null;
  /** Resolves with the next connection the proxy forwards (after `after` connections in all). */
  nextLink(timeoutMs?: number): Promise<FaultLink>;
  /** Resolves once `check(link)` holds for some open link; checked whenever bytes move. */
  until(what: string, check: (link: FaultLink) => boolean, timeoutMs?: number): Promise<FaultLink>;
  /** Holds `direction` on every open connection (new ones forward normally). */
  hold(direction: Direction): void;
  release(direction: Direction): void;
  /** RST on both sides of every open connection. */
  reset(): void;
  refuse(refusing: boolean): void;
  /** Server → client bytes from now on come in slices of `sliceBytes`, `ms` apart (0: at once). */
  delay(ms: number, sliceBytes?: number): void;
  /** Connections accepted so far, refused ones included. */
  accepted(): number;
  close(): Promise<void>;
}

interface Flow {
  held: boolean;
  queue: Buffer[];
  queued: number;
  /** The source ended: end the destination once the queue is empty. */
  ended: boolean;
  timer: NodeJS.Timeout | null;
}

export function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const links: Link[] = [];
  const watchers = new Set<() => void>();
  let refusing = false;
  let accepted = 0;
  let downDelay = { ms: 0, sliceBytes: 0 };
  let nextId = 1;

  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };

  class Link implements FaultLink {
    readonly id = nextId++;
    readonly received = { up: 0, down: 0 };
    readonly forwarded = { up: 0, down: 0 };
    readonly #flows: Record<Direction, Flow> = { up: newFlow(), down: newFlow() };
    #open = true;

    constructor(
      readonly client: Socket,
      readonly server: Socket,
    ) {
      client.on("data", (chunk: Buffer) => this.#take("up", chunk));
      server.on("data", (chunk: Buffer) => this.#take("down", chunk));
      client.on("end", () => this.#ended("up"));
      server.on("end", () => this.#ended("down"));
      client.on("close", () => this.#closed("up"));
      server.on("close", () => this.#closed("down"));
    }

    get open() {
      return this.#open;
    }

    get waiting() {
      return { up: this.#flows.up.queued, down: this.#flows.down.queued };
    }

    hold(direction: Direction) {
      this.#flows[direction].held = true;
    }

    isHeld(direction: Direction) {
      return this.#flows[direction].held;
    }

    release(direction: Direction) {
      this.#flows[direction].held = false;
      this.#pump(direction);
    }

    reset() {
      this.#open = false;
      for (const flow of Object.values(this.#flows)) {
        if (flow.timer) clearTimeout(flow.timer);
        flow.queue = [];
        flow.queued = 0;
      }
      this.client.resetAndDestroy();
      this.server.resetAndDestroy();
      notify();
    }

    #destination(direction: Direction) {
      return direction === "up" ? this.server : this.client;
    }

    #take(direction: Direction, chunk: Buffer) {
      const flow = this.#flows[direction];
      // A slow link: what comes from the server trickles in slices, one per delay.
      const slice = direction === "down" && downDelay.ms > 0 ? downDelay.sliceBytes : chunk.length;
      for (let at = 0; at < chunk.length; at += slice) {
        flow.queue.push(chunk.subarray(at, at + slice));
      }
      flow.queued += chunk.length;
      this.received[direction] += chunk.length;
      this.#pump(direction);
      notify();
    }

    #pump(direction: Direction) {
      const flow = this.#flows[direction];
      const destination = this.#destination(direction);
      const delayMs = direction === "down" ? downDelay.ms : 0;
      while (!flow.held && flow.timer === null && flow.queue.length > 0) {
        if (delayMs > 0) {
          flow.timer = setTimeout(() => {
            flow.timer = null;
            if (flow.held) return; // held meanwhile: release() pumps again
            this.#forward(direction, flow.queue.shift()!);
            this.#pump(direction);
          }, delayMs);
          return;
        }
        this.#forward(direction, flow.queue.shift()!);
      }
      if (!flow.held && flow.timer === null && flow.queue.length === 0 && flow.ended) {
        destination.end();
      }
    }

    #forward(direction: Direction, chunk: Buffer) {
      const flow = this.#flows[direction];
      flow.queued -= chunk.length;
      this.forwarded[direction] += chunk.length;
      const destination = this.#destination(direction);
      if (!destination.destroyed) destination.write(chunk);
      notify();
    }

    #ended(direction: Direction) {
      this.#flows[direction].ended = true;
      this.#pump(direction);
    }

    /**
     * One side's socket is gone. A held direction keeps what it holds (the other side hears of
     * it when released); otherwise the other side is closed too, once its bytes are out.
     */
    #closed(direction: Direction) {
      this.#ended(direction);
      const flow = this.#flows[direction];
      const other = this.#destination(direction);
      if (!flow.held && flow.queue.length === 0 && flow.timer === null) other.destroySoon();
      if (this.client.destroyed && this.server.destroyed && this.#open) {
        this.#open = false;
        notify();
      }
    }
  }

  const proxy = createServer((client) => {
    accepted++;
    client.on("error", () => {});
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    client.pause();
    let link: Link | null = null;
    const server = connect(target.port, target.host);
    server.on("error", () => {
      // The server is down: the client sees its connection reset.
      if (!link) client.resetAndDestroy();
    });
    client.once("close", () => {
      if (!link) server.destroy();
    });
    server.once("connect", () => {
      if (client.destroyed) return;
      link = new Link(client, server);
      links.push(link);
      client.resume();
      notify();
    });
  });

  function waitFor<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        watchers.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`proxy: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      watchers.add(check);
      check();
    });
  }

  const openLinks = () => links.filter((link) => link.open);

  return new Promise((resolve, reject) => {
    proxy.on("error", reject);
    proxy.listen(0, "127.0.0.1", () => {
      resolve({
        port: (proxy.address() as { port: number }).port,
        links: () => [...links],
        current: () => openLinks().at(-1) ?? null,
        nextLink(timeoutMs = 30_000) {
          const known = links.length;
          return waitFor("a new connection", () => links[known], timeoutMs);
        },
        until(what, check, timeoutMs = 30_000) {
          return waitFor(what, () => openLinks().find(check), timeoutMs);
        },
        hold(direction) {
          for (const link of openLinks()) link.hold(direction);
        },
        release(direction) {
          for (const link of openLinks()) link.release(direction);
        },
        reset() {
          for (const link of openLinks()) link.reset();
        },
        refuse(value) {
          refusing = value;
        },
        delay(ms, sliceBytes = 2048) {
          downDelay = { ms, sliceBytes };
        },
        accepted: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const link of links) {
              link.client.destroy();
              link.server.destroy();
            }
            proxy.close(() => done());
          }),
      });
    });
  });
}

function newFlow(): Flow {
  return { held: false, queue: [], queued: 0, ended: false, timer: null };
}
