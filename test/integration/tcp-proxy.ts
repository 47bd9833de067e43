import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP proxy between a client and a server on loopback, to break the link on purpose:
 * - cut(): both sockets destroyed, as when a router reboots (each side sees the connection end);
 * - stall(): nothing is forwarded any more, but both sockets stay open, as when Wi-Fi drops
 *   silently (neither side notices until it expects an answer);
 * - refuse(): new connections are dropped as soon as they arrive, as while the server is down.
 * TLS passes through untouched, so certificates are verified end to end.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  /** Stops forwarding on the current connections; new connections are forwarded normally. */
  stall(): void;
  /** Forwards again on stalled connections (and what was held back). */
  resume(): void;
  refuse(refusing: boolean): void;
  /** Connections accepted so far (including refused ones). */
  accepted(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
}

export function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let refusing = false;
  let accepted = 0;

  const proxy = createServer((client) => {
    accepted++;
    client.on("error", () => {});
    if (refusing) {
      client.destroy();
      return;
    }
    const server = connect(target.port, target.host);
    server.on("error", () => {});
    const pair = { client, server };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("close", drop);
    server.on("close", drop);
    client.pipe(server);
    server.pipe(client);
  });

  return new Promise((resolve, reject) => {
    proxy.on("error", reject);
    proxy.listen(0, "127.0.0.1", () => {
      resolve({
        port: (proxy.address() as { port: number }).port,
        cut() {
          for (const { client, server } of [...pairs]) {
            client.destroy();
            server.destroy();
          }
          pairs.clear();
        },
        stall() {
          for (const { client, server } of pairs) {
            // Unpiped and paused: bytes wait in the kernel buffers, and an end is not noticed.
            client.unpipe(server);
            server.unpipe(client);
            client.pause();
            server.pause();
            client.removeAllListeners("close");
            server.removeAllListeners("close");
          }
        },
        resume() {
          for (const pair of pairs) {
            const { client, server } = pair;
            if (client.listenerCount("close") > 0) continue;
            const drop = () => {
              pairs.delete(pair);
              client.destroy();
              server.destroy();
            };
            client.on("close", drop);
            server.on("close", drop);
            client.pipe(server);
            server.pipe(client);
          }
        },
        refuse(value) {
          refusing = value;
        },
        accepted: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const { client, server } of pairs) {
              client.destroy();
              server.destroy();
            }
            pairs.clear();
            proxy.close(() => done());
          }),
      });
    });
  });
}
