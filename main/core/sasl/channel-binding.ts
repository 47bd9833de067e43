import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { endPointDigest } from "./certificate-signature-hash";
import type { ChannelBindingType } from "./mechanism";

/**
 * The channel bindings Wren can compute on its end of `socket`, strongest first: tls-exporter
 * on TLS 1.3 (RFC 9266 defines it for 1.3 only), then tls-server-end-point whenever the
 * server's certificate names a hash RFC 5929 can use, then tls-unique on TLS 1.2 only (RFC 5929
 * §3; undefined on 1.3).
 */
export function availableChannelBindings(socket: TLSSocket): ChannelBindingType[] {
  const types: ChannelBindingType[] = [];
  const tls13 = socket.getProtocol() === "TLSv1.3";
  if (tls13) types.push("tls-exporter");
  const certificate = serverCertificate(socket);
  if (certificate && endPointDigest(certificate)) types.push("tls-server-end-point");
  if (socket.getProtocol() === "TLSv1.2") types.push("tls-unique");
  return types;
}

/** Binding data for `type` on the client end of `socket`; throws if it is not available. */
export function channelBindingData(socket: TLSSocket, type: ChannelBindingType): Buffer {
  if (type === "tls-exporter") return tlsExporter(socket);
  if (type === "tls-unique") return tlsUnique(socket);
  return tlsServerEndPoint(socket);
}

/**
 * RFC 5929 §3: the first Finished message of the latest handshake — ours on a full handshake,
 * the server's on a resumed one. TLS 1.2 only.
 */
export function tlsUnique(socket: TLSSocket): Buffer {
  if (socket.getProtocol() !== "TLSv1.2") {
    throw new Error("tls-unique channel binding is defined for TLS 1.2 only");
  }
  const finished = socket.isSessionReused() ? socket.getPeerFinished() : socket.getFinished();
  if (!finished) throw new Error("tls-unique: no Finished message");
  return finished;
}

/** RFC 9266: 32 bytes of TLS-Exporter("EXPORTER-Channel-Binding", empty context). */
export function tlsExporter(socket: TLSSocket): Buffer {
  if (socket.getProtocol() !== "TLSv1.3") {
    throw new Error("tls-exporter channel binding needs TLS 1.3");
  }
  return socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0));
}

/** RFC 5929 §4: hash of the server certificate's DER encoding. */
export function tlsServerEndPoint(socket: TLSSocket): Buffer {
  const certificate = serverCertificate(socket);
  if (!certificate) throw new Error("tls-server-end-point needs the server's certificate");
  return endPointHash(certificate);
}

export function endPointHash(certificateDer: Buffer): Buffer {
  const digest = endPointDigest(certificateDer);
  if (!digest)
    throw new Error("tls-server-end-point is undefined for this certificate's algorithm");
  return createHash(digest).update(certificateDer).digest();
}

function serverCertificate(socket: TLSSocket): Buffer | null {
  const raw: unknown = socket.getPeerCertificate()?.raw;
  return Buffer.isBuffer(raw) && raw.length > 0 ? raw : null;
}
