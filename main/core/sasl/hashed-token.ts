import { createHmac, timingSafeEqual } from "node:crypto";
import {
  SaslSecurityError,
  type ChannelBinding,
  type ChannelBindingType,
  type SaslExchange,
} from "./mechanism";

/** The FAST (XEP-0484) token mechanisms of draft-schmaus-kitten-sasl-ht that Wren speaks. */
export type HashedTokenMechanism = "HT-SHA-256-NONE" | "HT-SHA-256-ENDP" | "HT-SHA-256-EXPR";

const CHANNEL_BINDING: Record<HashedTokenMechanism, ChannelBindingType | null> = {
  "HT-SHA-256-NONE": null,
  "HT-SHA-256-ENDP": "tls-server-end-point",
  "HT-SHA-256-EXPR": "tls-exporter",
};

/** Which channel binding the caller must compute for `mechanism` (null: none). */
export function hashedTokenChannelBinding(
  mechanism: HashedTokenMechanism,
): ChannelBindingType | null {
  return CHANNEL_BINDING[mechanism];
}

export interface HashedTokenOptions {
  mechanism: HashedTokenMechanism;
  username: string;
  /** The token string from the server's <token/>; its UTF-8 octets are the HMAC key. */
  token: string;
  channelBinding: ChannelBinding | null;
  /** The account's domain, to name the server in error messages. */
  domain?: string;
}

/**
 * initiator-msg = authcid NUL HMAC-SHA-256(token, "Initiator" || cb-data); the server answers in
 * <success/> with HMAC-SHA-256(token, "Responder" || cb-data), which must match.
 */
export function createHashedToken(options: HashedTokenOptions): SaslExchange {
  const expectedType = CHANNEL_BINDING[options.mechanism];
  if ((options.channelBinding?.type ?? null) !== expectedType) {
    throw new TypeError(`${options.mechanism} needs channel binding ${expectedType ?? "none"}`);
  }
  const cbData = options.channelBinding?.data ?? Buffer.alloc(0);
  const mac = (role: string) =>
    createHmac("sha256", Buffer.from(options.token, "utf8"))
      .update(Buffer.concat([Buffer.from(role, "utf8"), cbData]))
      .digest();

  return {
    name: options.mechanism,
    initialResponse: () =>
      Buffer.concat([Buffer.from(options.username, "utf8"), Buffer.from([0]), mac("Initiator")]),
    challenge: async () => {
      throw new SaslSecurityError(
        "sasl-protocol",
        "The server sent a challenge Wren did not expect during token sign-in. Wren did not sign in.",
      );
    },
    success: (additionalData) => {
      const expected = mac("Responder");
      const proven =
        additionalData !== null &&
        additionalData.length === expected.length &&
        timingSafeEqual(additionalData, expected);
      if (!proven) {
        throw new SaslSecurityError(
          "sasl-server-unverified",
          "The server could not prove it knows Wren's sign-in token. Wren did not sign in: " +
            `someone may be impersonating ${options.domain ?? "the server"}.`,
        );
      }
    },
  };
}
