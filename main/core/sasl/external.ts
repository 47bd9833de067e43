import { SaslSecurityError, type SaslExchange } from "./mechanism";

/**
 * EXTERNAL with a TLS client certificate (XEP-0178). Without an authzid the response is empty
 * (RFC 6120 puts "=" on the wire for that) and the server derives the identity from the
 * certificate. The certificate check happened in TLS, so success() has nothing left to verify.
 */
export function createExternal(authzid?: string): SaslExchange {
  const response = () => Buffer.from(authzid ?? "", "utf8");
  return {
    name: "EXTERNAL",
    initialResponse: response,
    // A server that ignored the initial response asks with an empty challenge.
    challenge: async (data) => {
      if (data.length === 0) return response();
      throw new SaslSecurityError(
        "sasl-protocol",
        "The server sent a challenge Wren did not expect during certificate sign-in. Wren did not sign in.",
      );
    },
    success: () => {},
  };
}
