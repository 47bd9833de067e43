import { checkServerIdentity, type PeerCertificate, type TLSSocket } from "node:tls";
import type { CertificateInfo } from "../../../preload/contract";
import type { ClientCertificate } from "../auth/client-certificate";

/** What Wren trusts for one account beyond the system's CAs: a certificate the person accepted. */
export interface TlsPolicy {
  /** The account's domain: the certificate must be valid for it, whatever host was dialled. */
  domain: string;
  /** SHA-256 fingerprint ("AB:CD:…") of a certificate the person chose to trust, or null. */
  pinnedFingerprint: string | null;
  /** Presented in the handshake for SASL EXTERNAL (XEP-0178), when the account signs in so. */
  clientCertificate?: ClientCertificate | null;
}

export type CertificateProblem = "certificate-untrusted" | "certificate-changed";

/** The server's certificate was not accepted. Carries what the person needs to decide. */
export class CertificateError extends Error {
  readonly code: CertificateProblem;
  readonly certificate: CertificateInfo;

  constructor(code: CertificateProblem, certificate: CertificateInfo) {
    super(`${code}: ${certificate.problem}`);
    this.name = "CertificateError";
    this.code = code;
    this.certificate = certificate;
  }
}

/**
 * Decides whether a finished TLS handshake may carry the stream, before a single byte is written.
 * Node has already checked the chain and (via our checkServerIdentity) the name: `authorized` says
 * whether both passed. A pinned certificate is accepted by its exact fingerprint only, so a pin
 * both lets a self-signed server in and refuses any other certificate, CA-signed or not.
 */
export function verifyPeer(socket: TLSSocket, policy: TlsPolicy): CertificateError | null {
  const certificate = socket.getPeerCertificate(false) as PeerCertificate | null;
  if (!certificate?.fingerprint256) {
    return new CertificateError("certificate-untrusted", noCertificate());
  }
  if (policy.pinnedFingerprint) {
    if (sameFingerprint(certificate.fingerprint256, policy.pinnedFingerprint)) return null;
    return new CertificateError(
      "certificate-changed",
      describeCertificate(
        certificate,
        `It is not the certificate you chose to trust for ${policy.domain} (${policy.pinnedFingerprint}).`,
      ),
    );
  }
  if (socket.authorized) return null;
  return new CertificateError(
    "certificate-untrusted",
    describeCertificate(certificate, problemOf(socket, certificate, policy.domain)),
  );
}

export function describeCertificate(
  certificate: PeerCertificate,
  problem: string,
): CertificateInfo {
  return {
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    validFrom: isoDate(certificate.valid_from),
    validTo: isoDate(certificate.valid_to),
    fingerprint: certificate.fingerprint256.toUpperCase(),
    names: altNames(certificate),
    problem,
  };
}

export function sameFingerprint(a: string, b: string): boolean {
  const normal = (value: string) => value.replace(/[^0-9a-f]/gi, "").toUpperCase();
  return normal(a).length === 64 && normal(a) === normal(b);
}

/** The name check Node runs for us: always against the account's domain, never the dialled host. */
export function identityCheck(domain: string) {
  return (_host: string, certificate: PeerCertificate) => checkServerIdentity(domain, certificate);
}

function problemOf(socket: TLSSocket, certificate: PeerCertificate, domain: string): string {
  const code = String(socket.authorizationError ?? "");
  switch (code) {
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
      return "The certificate is self-signed: no authority your system trusts vouches for it.";
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return "The certificate was issued by an authority your system does not trust.";
    case "CERT_HAS_EXPIRED":
      return `The certificate expired on ${isoDate(certificate.valid_to).slice(0, 10)}.`;
    case "CERT_NOT_YET_VALID":
      return `The certificate is not valid before ${isoDate(certificate.valid_from).slice(0, 10)}.`;
    case "ERR_TLS_CERT_ALTNAME_INVALID":
    case "HOSTNAME_MISMATCH":
      return `The certificate is not issued for ${domain}.`;
    default:
      return `The certificate could not be verified (${code || "unknown reason"}).`;
  }
}

function noCertificate(): CertificateInfo {
  return {
    subject: "",
    issuer: "",
    validFrom: "",
    validTo: "",
    fingerprint: "",
    names: [],
    problem: "The server sent no certificate.",
  };
}

function distinguishedName(name: PeerCertificate["subject"] | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : String(value)}`)
    .join(", ");
}

function altNames(certificate: PeerCertificate): string[] {
  const list = certificate.subjectaltname ?? "";
  return list
    .split(", ")
    .filter((entry) => entry.startsWith("DNS:") || entry.startsWith("IP Address:"))
    .map((entry) => entry.replace(/^DNS:|^IP Address:/, ""))
    .slice(0, 50);
}

function isoDate(text: string | undefined): string {
  const time = text ? Date.parse(text) : NaN;
  return Number.isNaN(time) ? "" : new Date(time).toISOString();
}
