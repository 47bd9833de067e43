/** One SASL authentication attempt, driven by the stream-level code (RFC 6120 SASL or XEP-0388 SASL2). */
export interface SaslExchange {
  /** Mechanism name as sent on the wire, e.g. "SCRAM-SHA-256-PLUS". */
  readonly name: string;
  /** Client-first data; may be an empty Buffer (RFC 6120 sends that as "="). */
  initialResponse(): Buffer;
  /**
   * Answer to a server challenge; rejects with SaslSecurityError on anything wrong. Computing it
   * may take a while (SCRAM's key derivation runs off the main thread): a challenge or success
   * that arrives before it is ready is out of turn, and fails the exchange.
   */
  challenge(data: Buffer): Promise<Buffer>;
  /**
   * Called with the data of <success/> (null when it carried none). Throws SaslSecurityError
   * when the mechanism can authenticate the server and the server has not proven itself.
   */
  success(additionalData: Buffer | null): void;
}

export type SaslSecurityCode =
  | "sasl-server-unverified"
  | "sasl-downgrade"
  | "sasl-weak-iterations"
  | "sasl-bad-nonce"
  | "sasl-no-mechanism"
  | "sasl-protocol";

/** A sign-in that Wren stopped on purpose; the message is written for the person using Wren. */
export class SaslSecurityError extends Error {
  readonly code: SaslSecurityCode;

  constructor(code: SaslSecurityCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SaslSecurityError";
    this.code = code;
  }
}

/** How messages name the server: its domain when the caller told us, otherwise generically. */
export function serverName(domain: string | undefined): string {
  return domain ? `the server for ${domain}` : "the server";
}

/** serverName() at the start of a sentence. */
export function ServerName(domain: string | undefined): string {
  return domain ? `The server for ${domain}` : "The server";
}

/** The channel bindings Wren can compute (RFC 9266, RFC 5929). */
export type ChannelBindingType = "tls-exporter" | "tls-server-end-point" | "tls-unique";

export interface ChannelBinding {
  type: ChannelBindingType;
  data: Buffer;
}
