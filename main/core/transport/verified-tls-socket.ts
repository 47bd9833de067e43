import { connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { isIP, type Socket } from "node:net";
import { EventEmitter } from "node:events";
import { tlsClientOptions } from "../auth/client-certificate";
import { identityCheck, verifyPeer, type TlsPolicy } from "./certificate";

export interface VerifiedTlsParams {
  /** Direct TLS: where to dial. STARTTLS: the plain socket to upgrade. */
  host?: string;
  port?: number;
  socket?: Socket;
  /** XEP-0368 asks for ALPN "xmpp-client" on direct TLS only. */
  alpn: boolean;
  policy: TlsPolicy;
}

/**
 * The TLS socket every Wren stream runs on, shaped like @xmpp/tls's Socket so xmpp.js can use it.
 *
 * Node verifies the chain and, through `identityCheck`, the name against the account's domain;
 * `rejectUnauthorized` is off only so that Wren sees the certificate of a server it refuses (the
 * person is shown subject, issuer, validity and fingerprint) and can honour a certificate the
 * person pinned. "connect" — the signal that lets xmpp.js write its first byte — is emitted only
 * after verifyPeer() accepted the peer; anything else destroys the socket with a CertificateError.
 */
export class VerifiedTlsSocket extends EventEmitter {
  readonly secure = true;
  socket: TLSSocket | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Set once verifyPeer() accepted the peer: nothing is read or written before. */
  #verified = false;

  connect(params: VerifiedTlsParams): void {
    const { policy } = params;
    const socket = connect({
      ...tlsOptionsFor(policy.domain, params.alpn),
      ...(policy.clientCertificate && tlsClientOptions(policy.clientCertificate)),
      ...(params.socket
        ? { socket: params.socket }
        : { host: params.host, port: params.port ?? 5223 }),
    });
    this.socket = socket;
    socket.on("data", (data: Buffer) => {
      if (this.#verified) this.emit("data", data);
    });
    socket.on("error", (error: Error) => this.emit("error", error));
    socket.on("close", () => {
      if (this.#timer) clearTimeout(this.#timer);
      this.socket = null;
      this.emit("close");
    });
    socket.once("secureConnect", () => {
      const refused = verifyPeer(socket, policy);
      if (refused) {
        socket.destroy(refused);
        return;
      }
      this.#verified = true;
      // As @xmpp/tls does: a moment's pause before the stream header helps some TLS 1.3 servers.
      if (socket.getProtocol() === "TLSv1.3") {
        this.#timer = setTimeout(() => this.emit("connect"), 1);
      } else {
        this.emit("connect");
      }
    });
  }

  end(): void {
    this.socket?.end();
  }

  destroy(): void {
    this.socket?.destroy();
  }

  write(data: string | Buffer, callback?: (error?: Error | null) => void): void {
    if (!this.socket || !this.#verified) {
      callback?.(
        new Error(this.socket ? "The server is not verified yet." : "The connection is closed."),
      );
      return;
    }
    this.socket.write(data, callback);
  }
}

/**
 * SNI and the name check use the account's domain (never the dialled host or IP); ALPN
 * "xmpp-client" is for XEP-0368 direct TLS. See VerifiedTlsSocket for `rejectUnauthorized`.
 */
export function tlsOptionsFor(domain: string, alpn: boolean) {
  return {
    servername: isIP(domain) ? undefined : domain,
    checkServerIdentity: identityCheck(domain),
    minVersion: "TLSv1.2",
    rejectUnauthorized: false,
    ...(alpn ? { ALPNProtocols: ["xmpp-client"] } : {}),
  } satisfies ConnectionOptions;
}

/** Resolves once the upgraded socket is verified and ready, or rejects with why not. */
export function upgradeToTls(socket: Socket, policy: TlsPolicy): Promise<VerifiedTlsSocket> {
  const tlsSocket = new VerifiedTlsSocket();
  return new Promise((resolve, reject) => {
    tlsSocket.once("connect", () => {
      tlsSocket.off("error", reject);
      resolve(tlsSocket);
    });
    tlsSocket.once("error", reject);
    tlsSocket.connect({ socket, alpn: false, policy });
  });
}
