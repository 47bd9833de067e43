import type { ErrorCode } from "../../../preload/contract";
import { WrenError } from "../../shared/errors";
import { hostOf } from "../endpoints";
import { toWrenError } from "../errors";
import { plainText } from "../stanzas/data-form";

/** Why registration failed, for callers that react differently (the message says it to people). */
export type RegistrationFailure =
  | "conflict"
  | "invalid-fields"
  | "closed"
  | "rate-limited"
  | "unsupported"
  | "expired"
  | "bad-form";

export class RegistrationError extends WrenError {
  readonly reason: RegistrationFailure;

  constructor(
    code: ErrorCode,
    reason: RegistrationFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.reason = reason;
  }
}

const CONDITIONS: Record<
  string,
  { code: ErrorCode; reason: RegistrationFailure; message: (domain: string) => string }
> = {
  conflict: {
    code: "invalid-argument",
    reason: "conflict",
    message: (domain) => `That username is taken on ${domain}. Choose another one.`,
  },
  "not-acceptable": {
    code: "invalid-argument",
    reason: "invalid-fields",
    message: () => "The server did not accept the form: some fields are missing or invalid.",
  },
  "bad-request": {
    code: "invalid-argument",
    reason: "invalid-fields",
    message: () => "The server did not accept the form: some fields are missing or invalid.",
  },
  "not-allowed": {
    code: "not-available",
    reason: "closed",
    message: (domain) => `The server for ${domain} does not allow creating accounts here.`,
  },
  forbidden: {
    code: "not-available",
    reason: "closed",
    message: (domain) => `The server for ${domain} does not allow creating accounts here.`,
  },
  "registration-required": {
    code: "not-available",
    reason: "closed",
    message: (domain) => `The server for ${domain} does not allow creating accounts here.`,
  },
  "service-unavailable": {
    code: "not-available",
    reason: "unsupported",
    message: (domain) => `The server for ${domain} does not offer creating accounts from an app.`,
  },
  "feature-not-implemented": {
    code: "not-available",
    reason: "unsupported",
    message: (domain) => `The server for ${domain} does not offer creating accounts from an app.`,
  },
  "resource-constraint": {
    code: "not-available",
    reason: "rate-limited",
    message: (domain) =>
      `The server for ${domain} has had too many new accounts recently. Try again later.`,
  },
};

/**
 * Maps a failure while registering to a readable error. Stanza errors get a message by condition,
 * with the server's own text appended as plain text; everything else is mapped as for sign-in.
 */
export function registrationError(error: unknown, domain: string, service?: string): WrenError {
  if (error instanceof WrenError) return error;
  if (error instanceof Error && error.name === "StanzaError") {
    const { condition, text, type } = error as Error & {
      condition?: unknown;
      text?: unknown;
      type?: unknown;
    };
    const said = typeof text === "string" ? plainText(text, 300, { multiline: true }) : "";
    // Prosody's throttle answers <policy-violation type="wait"/>.
    const known =
      condition === "policy-violation" && type === "wait"
        ? CONDITIONS["resource-constraint"]
        : typeof condition === "string"
          ? CONDITIONS[condition]
          : undefined;
    if (known) {
      const message = known.message(domain);
      return new RegistrationError(
        known.code,
        known.reason,
        said ? `${message} The server said: “${said}”` : message,
        { cause: error },
      );
    }
  }
  const host = service ? hostOf(service) : undefined;
  const mapped = toWrenError(error, { domain, host });
  if (mapped.code === "stream-closed") {
    return new RegistrationError("stream-closed", "expired", mapped.message, { cause: error });
  }
  return mapped;
}

export function expiredError(): RegistrationError {
  return new RegistrationError(
    "stream-closed",
    "expired",
    "The connection for this registration form has closed. Open the form again to create the account.",
  );
}
