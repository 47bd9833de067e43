import { createSecureContext } from "node:tls";
import { WrenError } from "../../shared/errors";

/**
 * A TLS client certificate for SASL EXTERNAL (XEP-0178), kept like a password: as one secret
 * string in the credential store (see serialize/parse), never in a settings file.
 */
export type ClientCertificate =
  { kind: "pem"; pem: string } | { kind: "pkcs12"; pkcs12: Buffer; passphrase: string };

/** The node:tls options that present the certificate during the handshake. */
export function tlsClientOptions(certificate: ClientCertificate) {
  return certificate.kind === "pem"
    ? { cert: certificate.pem, key: certificate.pem }
    : { pfx: certificate.pkcs12, passphrase: certificate.passphrase };
}

/**
 * Reads a certificate file a person picked: PEM with the certificate and its private key (the key
 * may also come as a second file), or PKCS#12 (.p12/.pfx) with its passphrase. Checked by building
 * a TLS context from it, so a wrong passphrase or a key that does not match is a clear error now,
 * not a failed sign-in later.
 */
export function readClientCertificate(
  file: Buffer,
  options: { keyFile?: Buffer; passphrase?: string } = {},
): ClientCertificate {
  const text = file.toString("utf8");
  const certificate: ClientCertificate = text.includes("-----BEGIN CERTIFICATE-----")
    ? { kind: "pem", pem: options.keyFile ? `${text}\n${options.keyFile.toString("utf8")}` : text }
    : { kind: "pkcs12", pkcs12: file, passphrase: options.passphrase ?? "" };
  if (certificate.kind === "pem" && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(certificate.pem)) {
    throw new WrenError(
      "invalid-argument",
      "The certificate file has no private key. Choose the key file too, or a .p12 file.",
    );
  }
  try {
    createSecureContext(tlsClientOptions(certificate));
  } catch (error) {
    throw new WrenError("invalid-argument", describeProblem(error, certificate.kind), {
      cause: error,
    });
  }
  return certificate;
}

export function serializeClientCertificate(certificate: ClientCertificate): string {
  return JSON.stringify(
    certificate.kind === "pem"
      ? { v: 1, pem: certificate.pem }
      : { v: 1, pkcs12: certificate.pkcs12.toString("base64"), passphrase: certificate.passphrase },
  );
}

/** The stored secret back as a certificate; null when it is not one (a damaged entry). */
export function parseClientCertificate(secret: string): ClientCertificate | null {
  try {
    const value = JSON.parse(secret) as Record<string, unknown>;
    if (value.v !== 1) return null;
    if (typeof value.pem === "string") return { kind: "pem", pem: value.pem };
    if (typeof value.pkcs12 === "string" && typeof value.passphrase === "string") {
      return {
        kind: "pkcs12",
        pkcs12: Buffer.from(value.pkcs12, "base64"),
        passphrase: value.passphrase,
      };
    }
  } catch {
    // Not JSON: not a certificate. Not logged: JSON.parse's message quotes the secret it read.
  }
  return null;
}

function describeProblem(error: unknown, kind: ClientCertificate["kind"]): string {
  const message = error instanceof Error ? error.message : "";
  if (kind === "pkcs12" && /mac verify|password|decrypt/i.test(message)) {
    return "The passphrase for the certificate file is wrong.";
  }
  if (/key values mismatch/i.test(message)) {
    return "The private key does not belong to the certificate.";
  }
  return `Wren cannot use this certificate file (${message || "unreadable"}).`;
}
