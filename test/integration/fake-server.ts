import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

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
  /**
   * Resolves the first time no client connection is open after one was: once the client hung up,
   * received() is final, so "the client never sent X" is checked without waiting for time.
   */
  clientsGone: () => Promise<void>;
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
  let connected = false;
  let onGone: (() => void) | null = null;
  const gone = new Promise<void>((resolve) => (onGone = resolve));
  const handle = (socket: Socket) => {
    sockets.add(socket);
    connected = true;
    let all = "";
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      if (connected && sockets.size === 0) onGone?.();
    });
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
        clientsGone: () => gone,
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

/**
 * A self-signed certificate for localhost and 127.0.0.1 with subject CN=`name`, which no CA the
 * tests trust vouches for; with its SHA-256 fingerprint as Node writes it.
 */
export function selfSignedCertificate(name: string) {
  const dir = resolve("test-output/tls-self-signed");
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  // prettier-ignore
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", `/CN=${name}`,
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  return { certPath, keyPath, fingerprint: fingerprintOf(certPath) };
}

export function fingerprintOf(certPath: string): string {
  return new X509Certificate(readFileSync(certPath)).fingerprint256;
}
