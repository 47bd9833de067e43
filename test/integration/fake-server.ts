import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { readFileSync } from "node:fs";

// Scripted servers for what a real Prosody will not do: leave out TLS, strip STARTTLS, hang.
// The XML here is the *server's* side of a test conversation, so it is written out literally.

export const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='fake' from='localhost' version='1.0'>";

export const PLAIN_ONLY_FEATURES =
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
  "<mechanism>PLAIN</mechanism></mechanisms></stream:features>";

export interface Recorded {
  /** Everything every client sent, concatenated. */
  received: () => string;
  port: number;
  close: () => Promise<void>;
}

export interface Script {
  /** Called with each chunk from the client; `socket.write` answers. */
  onData?: (socket: Socket, chunk: string, all: string) => void;
  onConnection?: (socket: Socket | TLSSocket) => void;
}

function listen(
  server: Server,
  event: "connection" | "secureConnection",
  script: Script,
): Promise<Recorded> {
  let received = "";
  const sockets = new Set<Socket>();
  const handle = (socket: Socket) => {
    sockets.add(socket);
    let all = "";
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    script.onConnection?.(socket);
    socket.on("data", (data: Buffer) => {
      const chunk = data.toString("utf8");
      received += chunk;
      all += chunk;
      script.onData?.(socket, chunk, all);
    });
  };
  return new Promise((resolve) => {
    server.on(event, handle);
    server.listen(0, "127.0.0.1", () => {
      resolve({
        received: () => received,
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A plaintext TCP server. */
export function fakeTcpServer(script: Script): Promise<Recorded> {
  return listen(createServer(), "connection", script);
}

/** A direct-TLS server with the given certificate, offering ALPN xmpp-client. */
export function fakeTlsServer(
  certs: { certPath: string; keyPath: string },
  script: Script,
): Promise<Recorded> {
  const server = createTlsServer({
    cert: readFileSync(certs.certPath),
    key: readFileSync(certs.keyPath),
    ALPNProtocols: ["xmpp-client"],
  });
  return listen(server, "secureConnection", script);
}

/** Answers each stream header with our header and `features`. */
export function answerStreamHeaders(features: string): Script["onData"] {
  return (socket, chunk) => {
    if (chunk.includes("<stream:stream")) socket.write(STREAM_HEADER + features);
  };
}
