import { xml, type Element } from "@xmpp/client";
import type { HashedTokenMechanism } from "../sasl/hashed-token";
import { hashedTokenChannelBinding } from "../sasl/hashed-token";
import type { ChannelBindingType } from "../sasl/mechanism";

export const NS_FAST = "urn:xmpp:fast:0";

/** A XEP-0484 token, valid only with the mechanism it was issued for. Secret like a password. */
export interface FastToken {
  mechanism: string;
  token: string;
  /** XEP-0082 DateTime after which the server no longer accepts it. */
  expiry: string;
}

/** What the caller's credential store does for FAST. The callbacks must not throw. */
export interface FastOptions {
  /** The token kept for this account, if any. */
  token: FastToken | null;
  /** A new token from the server: keep it in place of the old one. */
  onToken(token: FastToken): void;
  /** The kept token expired or the server refused it: delete it. */
  onTokenInvalid(): void;
}

/** Strongest first: a token bound to the TLS channel is useless to anyone who stole it. */
const PREFERENCE: HashedTokenMechanism[] = [
  "HT-SHA-256-EXPR",
  "HT-SHA-256-ENDP",
  "HT-SHA-256-NONE",
];

export interface FastPlan {
  /** The kept token, to try before the password; null when there is none Wren can use here. */
  use: (FastToken & { mechanism: HashedTokenMechanism }) | null;
  /** The kept token is past its expiry: it goes, unsent. */
  expired: boolean;
  /** The mechanism to ask a new token for on a password sign-in; null when none fits. */
  request: HashedTokenMechanism | null;
}

export interface FastContext {
  /** The mechanisms in the server's inline <fast/>. */
  offered: string[];
  /** The bindings Wren can compute on this connection (availableChannelBindings). */
  clientBindings: ChannelBindingType[];
  /** XEP-0440 types the server advertised; null when it did not say. */
  serverBindings: string[] | null;
  now: Date;
}

export function planFast(token: FastToken | null, context: FastContext): FastPlan {
  const usable = PREFERENCE.filter((mechanism) => isUsable(mechanism, context));
  const expired = token !== null && !(Date.parse(token.expiry) > context.now.getTime());
  const use =
    token && !expired && usable.includes(token.mechanism as HashedTokenMechanism)
      ? { ...token, mechanism: token.mechanism as HashedTokenMechanism }
      : null;
  return { use, expired, request: usable[0] ?? null };
}

function isUsable(mechanism: HashedTokenMechanism, context: FastContext): boolean {
  if (!context.offered.includes(mechanism)) return false;
  const binding = hashedTokenChannelBinding(mechanism);
  if (binding === null) return true;
  if (!context.clientBindings.includes(binding)) return false;
  return context.serverBindings === null || context.serverBindings.includes(binding);
}

/** The token in a <success/>, bound to `mechanism`; null when the element is incomplete. */
export function readToken(element: Element, mechanism: string): FastToken | null {
  const { token, expiry } = element.attrs;
  if (!token || !expiry || Number.isNaN(Date.parse(expiry))) return null;
  return { mechanism, token, expiry };
}

export function requestTokenElement(mechanism: HashedTokenMechanism): Element {
  return xml("request-token", { xmlns: NS_FAST, mechanism });
}

/** XEP-0484 §3.4: tells the server the credential is a token. No 'count': Wren sends no 0-RTT data. */
export function fastElement(): Element {
  return xml("fast", { xmlns: NS_FAST });
}
