import type { ErrorCode } from "../../preload/contract";
import { WrenError } from "../shared/errors";
import { CertificateError } from "./transport/certificate";

/** What the messages may mention: the account's domain and the host we dialled. */
export interface ErrorContext {
  domain: string;
  host?: string;
}

const CERTIFICATE_ERRORS = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_TLS_CERT_ALTNAME_FORMAT",
]);

const HOST_NOT_FOUND = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_NODATA", "ENODATA"]);
const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);
const CONNECTION_LOST = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** SASL failures that mean "these credentials will not work", as opposed to a server problem. */
const CREDENTIAL_CONDITIONS: Record<string, string> = {
  "not-authorized": "The server rejected the address or password.",
  "credentials-expired":
    "The password has expired. Change it with another client or on the server's website.",
  "account-disabled": "This account has been disabled by the server.",
};

export function tlsRequiredError(domain: string): WrenError {
  return new WrenError(
    "tls-required",
    `The server for ${domain} does not offer encryption, so Wren refused to continue without encryption. Your password was not sent.`,
  );
}

export function startTimeoutError(domain: string, seconds: number): WrenError {
  return new WrenError(
    "timeout",
    `The server for ${domain} did not finish signing in within ${seconds} seconds. Try again later.`,
  );
}

export function connectionLostError(detail?: string, options?: { cause?: unknown }): WrenError {
  return new WrenError(
    "stream-closed",
    detail
      ? `The server closed the connection: ${detail}`
      : "The server closed the connection unexpectedly.",
    options,
  );
}

/** The link went quiet: the server stopped answering our pings. */
export function noAnswerError(domain: string): WrenError {
  return new WrenError(
    "timeout",
    `The server for ${domain} stopped answering. The connection was dropped.`,
  );
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  condition?: unknown;
  text?: unknown;
}

/** Maps any failure from the network, TLS, SASL or the XMPP stream to an error a person can read. */
export function toWrenError(error: unknown, context: ErrorContext): WrenError {
  if (error instanceof WrenError) return error;
  const shape: ErrorShape = typeof error === "object" && error !== null ? error : {};
  const name = typeof shape.name === "string" ? shape.name : "";
  const code = typeof shape.code === "string" ? shape.code : "";
  const message = typeof shape.message === "string" ? shape.message : "";
  const condition = typeof shape.condition === "string" ? shape.condition : "";
  const text = typeof shape.text === "string" ? shape.text : "";
  const where = context.host && context.host !== context.domain ? context.host : context.domain;
  const options = { cause: error };

  if (name === "CertificateError" && isCertificateError(error)) {
    return certificateError(error, context.domain);
  }

  if (name === "StreamParseError") {
    return new WrenError(
      "stream-closed",
      `The server for ${context.domain} sent data that XMPP does not allow (${describe(condition, text)}), so Wren closed the connection.`,
      options,
    );
  }

  if (name === "RedirectError") {
    return new WrenError(
      "stream-closed",
      `The server for ${context.domain} kept sending Wren on to other servers, so Wren gave up.`,
      options,
    );
  }

  if (name === "SaslSecurityError") {
    return new WrenError(SASL_SECURITY_CODES[code] ?? "auth-server-unverified", message, options);
  }

  if (name === "SASLError") {
    const readable = CREDENTIAL_CONDITIONS[condition];
    if (readable) return new WrenError("auth-failed", readable, options);
    if (message.startsWith("SASL: No compatible mechanism")) {
      return new WrenError(
        "auth-failed",
        `The server for ${context.domain} offers no sign-in method Wren supports.`,
        options,
      );
    }
    return new WrenError(
      "auth-failed",
      `Signing in failed: the server answered “${describe(condition, text)}”.`,
      options,
    );
  }

  if (name === "StreamError") {
    return connectionLostError(describe(condition, text), options);
  }

  if (name === "StanzaError") {
    return new WrenError(
      "not-available",
      `The server refused the request: ${describe(condition, text)}.`,
      options,
    );
  }

  if (name === "TimeoutError" || code === "ETIMEDOUT") {
    return new WrenError("timeout", `The server ${where} did not answer in time.`, options);
  }

  if (CERTIFICATE_ERRORS.has(code)) {
    return new WrenError(
      "certificate-invalid",
      `The server's certificate is not valid for ${context.domain} (${message || code}). Wren did not connect, to keep your password and messages safe.`,
      options,
    );
  }

  if (code === "ERR_SSL_TLSV1_UNRECOGNIZED_NAME") {
    return new WrenError(
      "tls-required",
      `The server ${where} has no encrypted service for ${context.domain}, so Wren did not connect.`,
      options,
    );
  }

  if (code.startsWith("ERR_SSL_") || message === "STARTTLS_FAILURE") {
    return new WrenError(
      "tls-required",
      `Wren could not set up an encrypted connection to ${where}, and refused to continue without encryption.`,
      options,
    );
  }

  if (HOST_NOT_FOUND.has(code)) {
    return new WrenError(
      "host-not-found",
      `Wren could not find the server ${where}. Check the address and your internet connection.`,
      options,
    );
  }

  if (code === "ECONNREFUSED" || UNREACHABLE.has(code)) {
    return new WrenError(
      "connection-refused",
      `The server ${where} could not be reached: it refused the connection or is not running.`,
      options,
    );
  }

  if (CONNECTION_LOST.has(code) || name === "XMLError") {
    return connectionLostError();
  }

  return new WrenError(
    "internal",
    "Something went wrong inside Wren. The details are in the log.",
    options,
  );
}

const SASL_SECURITY_CODES: Record<string, ErrorCode> = {
  "sasl-downgrade": "auth-downgrade",
  "sasl-no-mechanism": "auth-failed",
};

function isCertificateError(error: unknown): error is CertificateError {
  return error instanceof CertificateError;
}

function certificateError(error: CertificateError, domain: string): WrenError {
  const { certificate } = error;
  if (error.code === "certificate-changed") {
    return new WrenError(
      "certificate-changed",
      `Warning: the server for ${domain} now shows a different certificate from the one you trusted. Someone may be intercepting the connection, or the server's administrator replaced the certificate. Wren did not connect and sent nothing.`,
      { cause: error, certificate },
    );
  }
  return new WrenError(
    "certificate-untrusted",
    `Wren cannot verify the certificate of the server for ${domain}: ${certificate.problem} Wren did not connect and sent nothing. Check the fingerprint with the server's administrator before trusting it.`,
    { cause: error, certificate },
  );
}

/** Errors that mean "this address did not work", after which the next address may be tried. */
export function isWorthAnotherAddress(error: WrenError): boolean {
  return (
    error.code === "connection-refused" ||
    error.code === "host-not-found" ||
    error.code === "timeout"
  );
}

/** Failures that need the person (a password, a certificate, a server setting), not another try. */
const NEEDS_THE_USER = new Set<ErrorCode>([
  "auth-failed",
  "auth-downgrade",
  "auth-server-unverified",
  "tls-required",
  "certificate-invalid",
  "certificate-untrusted",
  "certificate-changed",
]);

/**
 * Stream errors after which reconnecting on our own would be wrong: `conflict` means another client
 * took over this resource (two clients retrying would throw each other out forever).
 */
const FINAL_STREAM_CONDITIONS = new Set(["conflict", "not-authorized", "host-unknown"]);

/** Whether a lost connection or failed reconnect should be retried automatically. */
export function isRetryable(error: WrenError): boolean {
  if (NEEDS_THE_USER.has(error.code)) return false;
  const cause: ErrorShape | null =
    typeof error.cause === "object" && error.cause !== null ? error.cause : null;
  if (
    error.code === "stream-closed" &&
    typeof cause?.condition === "string" &&
    FINAL_STREAM_CONDITIONS.has(cause.condition)
  ) {
    return false;
  }
  return true;
}

/** "condition (text)" for an XMPP error condition, as plain text. */
function describe(condition: string, text: string): string {
  const plain = [...text]
    .map((char) => (isControl(char) ? " " : char))
    .join("")
    .trim()
    .slice(0, 300);
  if (!condition) return plain || "no reason given";
  return plain ? `${condition} (${plain})` : condition;
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}
