import { SaslSecurityError, ServerName } from "./mechanism";

/** RFC 5802 §7 server-error-value, as a sentence a person can act on. */
const EXPLANATIONS: Record<string, string> = {
  "invalid-encoding": "it could not read Wren's sign-in message",
  "extensions-not-supported": "it does not support an extension Wren used",
  "invalid-proof": "the address or password is wrong",
  "unknown-user": "the address or password is wrong",
  "invalid-username-encoding": "it could not read the user name",
  "no-resources": "it is short of resources",
  "unsupported-channel-binding-type": "it does not support the channel binding Wren chose",
  "channel-binding-not-supported": "it does not support channel binding",
  "other-error": "of an unspecified error",
};

/** Errors that mean the two ends saw different TLS connections or different offers. */
const TAMPERING = new Set(["channel-bindings-dont-match", "server-does-support-channel-binding"]);

export function scramServerError(value: string, domain: string | undefined): SaslSecurityError {
  if (TAMPERING.has(value)) {
    return new SaslSecurityError(
      "sasl-downgrade",
      `${ServerName(domain)} and Wren disagree about the secure connection they share${shown(value)}. ` +
        "Someone may be interfering with your connection. Wren did not sign in.",
    );
  }
  const why = EXPLANATIONS[value] ?? "of an error Wren does not know";
  return new SaslSecurityError(
    "sasl-protocol",
    `${ServerName(domain)} refused the sign-in because ${why}${shown(value)}.`,
  );
}

/** The server chose this text; show it only when it looks like an RFC 5802 error name. */
function shown(value: string): string {
  return /^[a-z0-9-]{1,64}$/i.test(value) ? ` (${value})` : "";
}
