import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import {
  downgradeProtectionHash,
  legacyDowngradeProtectionHash,
  type AdvertisedLists,
} from "./downgrade-protection";
import {
  SaslSecurityError,
  ServerName,
  serverName,
  type ChannelBinding,
  type SaslExchange,
} from "./mechanism";
import { preparePassword, saslname } from "./saslprep";
import {
  attributeValue,
  decodeStrictBase64,
  isPrintableNonce,
  malformed,
  parseScramMessage,
  type ScramAttribute,
} from "./scram-attributes";
import { scramServerError } from "./scram-server-error";

export type ScramHash = "sha1" | "sha256";

export interface ScramOptions {
  hash: ScramHash;
  username: string;
  password: string;
  /** Set for the -PLUS variant. */
  channelBinding: ChannelBinding | null;
  /** The gs2 "y" flag: Wren could bind to the channel but the server offered no -PLUS mechanism. */
  clientSupportsCbButServerDidNotOffer: boolean;
  /** The lists the server advertised, to check its XEP-0474 hash. Without them the hash is ignored. */
  downgradeProtection?: AdvertisedLists;
  /** Fixed client nonce, for test vectors only. */
  nonce?: string;
  minIterations?: number;
  maxIterations?: number;
  /** The account's domain, to name the server in error messages. */
  domain?: string;
}

export const DEFAULT_MIN_ITERATIONS = 4096;
/** A hostile server could otherwise make Wren spin for minutes; ~1 s of CPU at SHA-256. */
export const DEFAULT_MAX_ITERATIONS = 1_000_000;

const pbkdf2Async = promisify(pbkdf2);

const HASH_BYTES: Record<ScramHash, number> = { sha1: 20, sha256: 32 };
const MECHANISM_NAMES: Record<ScramHash, string> = { sha1: "SCRAM-SHA-1", sha256: "SCRAM-SHA-256" };

/** SCRAM client (RFC 5802, RFC 7677) that refuses to finish until the server has proven itself. */
export function createScram(options: ScramOptions): SaslExchange {
  return new ScramExchange(options);
}

type State =
  | "initial"
  | "awaiting-server-first"
  | "deriving-key"
  | "awaiting-server-final"
  | "verified"
  | "failed";

class ScramExchange implements SaslExchange {
  readonly name: string;
  readonly #options: ScramOptions;
  readonly #gs2Header: string;
  readonly #clientNonce: string;
  readonly #clientFirstBare: string;
  #state: State = "initial";
  #serverSignature: Buffer | null = null;

  constructor(options: ScramOptions) {
    if (options.channelBinding && options.clientSupportsCbButServerDidNotOffer) {
      throw new TypeError("SCRAM: the gs2 'y' flag contradicts using channel binding");
    }
    if (options.nonce !== undefined && !isPrintableNonce(options.nonce)) {
      throw new TypeError("SCRAM: the client nonce must be printable ASCII without ','");
    }
    if (options.password.length === 0) {
      throw new SaslSecurityError("sasl-protocol", "Wren cannot sign in with an empty password.");
    }
    this.#options = options;
    const { channelBinding } = options;
    this.name = MECHANISM_NAMES[options.hash] + (channelBinding ? "-PLUS" : "");
    this.#gs2Header = channelBinding
      ? `p=${channelBinding.type},,`
      : options.clientSupportsCbButServerDidNotOffer
        ? "y,,"
        : "n,,";
    this.#clientNonce = options.nonce ?? randomBytes(24).toString("base64");
    this.#clientFirstBare = `n=${saslname(options.username)},r=${this.#clientNonce}`;
  }

  initialResponse(): Buffer {
    if (this.#state !== "initial") throw new Error("SCRAM: initialResponse() called twice");
    this.#state = "awaiting-server-first";
    return Buffer.from(this.#gs2Header + this.#clientFirstBare, "utf8");
  }

  async challenge(data: Buffer): Promise<Buffer> {
    try {
      if (this.#state === "awaiting-server-first") return await this.#answerServerFirst(data);
      if (this.#state === "awaiting-server-final") {
        this.#verifyServerFinal(data);
        this.#state = "verified";
        return Buffer.alloc(0);
      }
      throw unexpected("a challenge");
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  success(additionalData: Buffer | null): void {
    this.#guard(() => {
      const hasData = additionalData !== null && additionalData.length > 0;
      if (hasData && (this.#state === "awaiting-server-final" || this.#state === "verified")) {
        this.#verifyServerFinal(additionalData);
        this.#state = "verified";
      }
      if (this.#state !== "verified") throw this.#unverified();
    });
  }

  #guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  async #answerServerFirst(data: Buffer): Promise<Buffer> {
    const attributes = parseScramMessage(data, "challenge");
    this.#rejectServerErrorOrExtension(attributes);
    const [nonce, salt, iterations] = attributes;
    if (nonce?.name !== "r" || salt?.name !== "s" || iterations?.name !== "i") {
      throw malformed("challenge");
    }
    this.#checkNonce(nonce.value);
    const saltBytes = decodeStrictBase64(salt.value);
    if (!saltBytes) throw malformed("salt");
    const count = this.#checkIterations(iterations.value);
    this.#checkDowngradeProtection(attributes);

    const { hash } = this.#options;
    // The server picks the cost (up to a second's work), so the key is derived on libuv's thread
    // pool, never on the main thread. Meanwhile no state accepts a challenge or success: one that
    // comes out of turn fails the exchange, and this answer with it.
    this.#state = "deriving-key";
    const saltedPassword = await pbkdf2Async(
      preparePassword(this.#options.password),
      saltBytes,
      count,
      HASH_BYTES[hash],
      hash,
    );
    if (this.#state !== "deriving-key") throw unexpected("a message");
    const channelBindingInput = Buffer.concat([
      Buffer.from(this.#gs2Header, "utf8"),
      this.#options.channelBinding?.data ?? Buffer.alloc(0),
    ]);
    const withoutProof = `c=${channelBindingInput.toString("base64")},r=${nonce.value}`;
    const authMessage = Buffer.concat([
      Buffer.from(`${this.#clientFirstBare},`, "utf8"),
      data,
      Buffer.from(`,${withoutProof}`, "utf8"),
    ]);

    const clientKey = hmac(hash, saltedPassword, "Client Key");
    const storedKey = createHash(hash).update(clientKey).digest();
    const clientSignature = hmac(hash, storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    this.#serverSignature = hmac(hash, hmac(hash, saltedPassword, "Server Key"), authMessage);
    this.#state = "awaiting-server-final";
    return Buffer.from(`${withoutProof},p=${proof.toString("base64")}`, "utf8");
  }

  #verifyServerFinal(data: Buffer): void {
    const attributes = parseScramMessage(data, "final message");
    const [first] = attributes;
    if (first?.name === "e") throw scramServerError(first.value, this.#options.domain);
    if (first?.name !== "v") throw malformed("final message");
    const signature = decodeStrictBase64(first.value);
    const expected = this.#serverSignature!;
    if (
      !signature ||
      signature.length !== expected.length ||
      !timingSafeEqual(signature, expected)
    ) {
      throw this.#unverified();
    }
  }

  #rejectServerErrorOrExtension(attributes: ScramAttribute[]): void {
    const error = attributeValue(attributes, "e");
    if (error !== undefined) throw scramServerError(error, this.#options.domain);
    if (attributes[0]?.name === "m") {
      throw new SaslSecurityError(
        "sasl-protocol",
        `${ServerName(this.#options.domain)} requires a SCRAM extension Wren does not support. Wren did not sign in.`,
      );
    }
  }

  #checkNonce(serverNonce: string): void {
    const continuesOurs =
      serverNonce.startsWith(this.#clientNonce) && serverNonce.length > this.#clientNonce.length;
    if (!continuesOurs || !isPrintableNonce(serverNonce)) {
      throw new SaslSecurityError(
        "sasl-bad-nonce",
        `The reply from ${this.#server} did not answer Wren's fresh sign-in challenge. ` +
          "Someone may be replaying an old sign-in or impersonating the server. Wren did not sign in.",
      );
    }
  }

  #checkIterations(value: string): number {
    if (!/^[1-9][0-9]{0,9}$/.test(value)) throw malformed("iteration count");
    const count = Number(value);
    const min = this.#options.minIterations ?? DEFAULT_MIN_ITERATIONS;
    const max = this.#options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    if (count < min) {
      throw new SaslSecurityError(
        "sasl-weak-iterations",
        `${ServerName(this.#options.domain)} asked Wren to protect your password with only ${count} rounds ` +
          `of hashing; Wren requires at least ${min}. A genuine server rarely does this, so someone ` +
          "may be trying to capture your password. Wren did not sign in.",
      );
    }
    if (count > max) {
      throw new SaslSecurityError(
        "sasl-protocol",
        `${ServerName(this.#options.domain)} asked for ${count} rounds of password hashing, more than ` +
          `the ${max} Wren will compute. Wren did not sign in.`,
      );
    }
    return count;
  }

  #checkDowngradeProtection(attributes: ScramAttribute[]): void {
    const lists = this.#options.downgradeProtection;
    if (!lists) return;
    const { hash } = this.#options;
    const current = attributeValue(attributes, "h");
    const legacy = attributeValue(attributes, "d");
    const tampered =
      (current !== undefined && current !== downgradeProtectionHash(hash, lists)) ||
      (legacy !== undefined && legacy !== legacyDowngradeProtectionHash(hash, lists));
    if (tampered) {
      throw new SaslSecurityError(
        "sasl-downgrade",
        `The sign-in methods ${this.#server} offered were changed on the way to Wren. ` +
          "This may be an attack to weaken the sign-in. Wren did not sign in.",
      );
    }
  }

  #unverified(): SaslSecurityError {
    const who = this.#options.domain ?? "the server";
    return new SaslSecurityError(
      "sasl-server-unverified",
      `The server could not prove it knows your password. Wren did not sign in: someone may be impersonating ${who}.`,
    );
  }

  get #server(): string {
    return serverName(this.#options.domain);
  }
}

function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}

function unexpected(what: string): SaslSecurityError {
  return new SaslSecurityError(
    "sasl-protocol",
    `The server sent ${what} Wren did not expect during sign-in. Wren did not sign in.`,
  );
}
