import type { Client } from "@xmpp/client";
import type { ConnectionSecurity } from "../../../preload/contract";
import type { AuthOutcome } from "../auth/credentials";
import type { FastOptions, FastToken } from "../auth/fast-token";
import { tlsSocketOf } from "../auth/sasl-negotiation";
import { toBareJid } from "../jid";
import type { MechanismPin } from "../sasl/choose-mechanism";
import { WrenError } from "../../shared/errors";

export interface SignInRecordDeps {
  domain: string;
  /** Whether the person chose to trust the server's certificate. */
  trustedByYou: boolean;
  mechanismPin: MechanismPin | null;
  fastToken: FastToken | null;
  /** The server offered a stronger mechanism than pinned: remember the new pin. */
  onPin: (pin: MechanismPin) => void;
  /** A new FAST token to keep, or null: forget the old one. */
  onFastToken: (token: FastToken | null) => void;
}

/**
 * What one account's sign-ins learn and carry from one to the next: the strongest SASL mechanism
 * seen (a weaker one later is a downgrade), the XEP-0484 FAST token, and how the live connection
 * is protected, for the account's details.
 */
export class SignInRecord {
  #pin: MechanismPin | null;
  #fastToken: FastToken | null;
  #security: ConnectionSecurity | null = null;

  constructor(private readonly deps: SignInRecordDeps) {
    this.#pin = deps.mechanismPin;
    this.#fastToken = deps.fastToken;
  }

  get mechanismPin(): MechanismPin | null {
    return this.#pin;
  }

  get security(): ConnectionSecurity | null {
    return this.#security && { ...this.#security };
  }

  fast(): FastOptions {
    return {
      token: this.#fastToken,
      onToken: (token) => {
        this.#fastToken = token;
        this.deps.onFastToken({ ...token });
      },
      onTokenInvalid: () => {
        this.#fastToken = null;
        this.deps.onFastToken(null);
      },
    };
  }

  /** SASL succeeded and the server proved itself. */
  authenticated(entity: Client, outcome: AuthOutcome): void {
    this.#security = {
      tls: tlsSocketOf(entity)?.getProtocol() ?? "",
      mechanism: outcome.mechanism,
      channelBinding: outcome.channelBinding,
      trustedByYou: this.deps.trustedByYou,
      warning: outcome.plainWarning
        ? `The server for ${this.deps.domain} only accepts plain passwords (PLAIN). Your password was sent inside the encrypted connection, but the server sees it as is and cannot prove it knows it.`
        : null,
    };
    const pin = outcome.pin;
    const old = this.#pin;
    if (!old || old.mechanism !== pin.mechanism || old.channelBinding !== pin.channelBinding) {
      this.#pin = pin;
      this.deps.onPin({ ...pin });
    }
  }
}

/**
 * The server decides which account we are signed in as (with a client certificate, from the
 * certificate): anything but this account's JID must not go on as if it were this account.
 */
export function requireOwnJid(entity: Client, jid: string): void {
  const bound = entity.jid ? toBareJid(entity.jid.toString()) : null;
  if (bound === jid) return;
  throw new WrenError(
    "auth-failed",
    `The server signed you in as ${bound ?? "nobody"}, not ${jid}. If you sign in with a certificate, it belongs to another account. Wren disconnected.`,
  );
}
