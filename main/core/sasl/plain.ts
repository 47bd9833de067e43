import { SaslSecurityError, type SaslExchange } from "./mechanism";

/**
 * PLAIN (RFC 4616): the password itself, protected only by TLS. The server cannot prove anything
 * back, so success() accepts; the selection policy decides whether PLAIN may be used at all.
 */
export function createPlain(username: string, password: string): SaslExchange {
  return {
    name: "PLAIN",
    initialResponse: () => Buffer.from(`\0${username}\0${password}`, "utf8"),
    challenge: async () => {
      throw new SaslSecurityError(
        "sasl-protocol",
        "The server sent a challenge Wren did not expect during sign-in. Wren did not sign in.",
      );
    },
    success: () => {},
  };
}
