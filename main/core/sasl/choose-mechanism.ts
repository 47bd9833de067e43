import { SaslSecurityError, ServerName, serverName, type ChannelBindingType } from "./mechanism";

export interface MechanismOffer {
  mechanisms: string[];
  /** XEP-0440 <sasl-channel-binding> types; null when not advertised. */
  channelBindings: string[] | null;
  /** The negotiated TLS version as Node names it: "TLSv1.3", "TLSv1.2", … */
  tlsVersion: string;
}

/** The strongest mechanism ever used for the account. */
export interface MechanismPin {
  mechanism: string;
  channelBinding: boolean;
}

export interface MechanismChoice {
  mechanism: string;
  channelBinding: ChannelBindingType | null;
  /** PLAIN was the only choice: the password goes to the server as is, inside TLS. */
  plainWarning: boolean;
  /** The pin to remember from now on: never weaker than the one passed in. */
  pin: MechanismPin;
  /** The gs2 "y" flag for SCRAM: Wren could bind to the channel but the server offered no -PLUS. */
  gs2Y: boolean;
}

export interface ChooseOptions {
  credential: "password" | "client-certificate";
  pin: MechanismPin | null;
  /**
   * The bindings Wren can compute on this connection (availableChannelBindings(socket)). Without
   * it they are assumed from the TLS version.
   */
  clientChannelBindings?: ChannelBindingType[];
  /** The account's domain, to name the server in error messages. */
  domain?: string;
}

/** Password mechanisms Wren uses, strongest first. Never ANONYMOUS. */
const PASSWORD_MECHANISMS = [
  "SCRAM-SHA-256-PLUS",
  "SCRAM-SHA-1-PLUS",
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "PLAIN",
] as const;

const RANK: Record<string, number> = {
  "SCRAM-SHA-256-PLUS": 5,
  "SCRAM-SHA-1-PLUS": 4,
  "SCRAM-SHA-256": 3,
  "SCRAM-SHA-1": 2,
  // XEP-0474 §8: having used SCRAM *or EXTERNAL* rules out ever falling back to PLAIN.
  EXTERNAL: 2,
  PLAIN: 1,
};

const PREFERRED_BINDINGS: ChannelBindingType[] = [
  "tls-exporter",
  "tls-server-end-point",
  "tls-unique",
];

export function chooseMechanism(offer: MechanismOffer, options: ChooseOptions): MechanismChoice {
  return options.credential === "client-certificate"
    ? chooseExternal(offer, options)
    : choosePassword(offer, options);
}

function chooseExternal(offer: MechanismOffer, options: ChooseOptions): MechanismChoice {
  if (!offer.mechanisms.includes("EXTERNAL")) {
    throw new SaslSecurityError(
      "sasl-no-mechanism",
      `${ServerName(options.domain)} does not offer sign-in with a client certificate (SASL EXTERNAL); ` +
        `it offers ${listed(offer.mechanisms)}. Wren did not sign in.`,
    );
  }
  // The pin guards password sign-ins against weaker methods; a certificate is not comparable.
  const current = { mechanism: "EXTERNAL", channelBinding: false };
  return {
    mechanism: "EXTERNAL",
    channelBinding: null,
    plainWarning: false,
    pin: stronger(options.pin, current),
    gs2Y: false,
  };
}

function choosePassword(offer: MechanismOffer, options: ChooseOptions): MechanismChoice {
  const binding = mutualChannelBinding(offer, options);
  const offersScram = offer.mechanisms.some((name) => name.startsWith("SCRAM-"));
  const offersPlus = offer.mechanisms.some((name) => name.endsWith("-PLUS"));

  const mechanism = PASSWORD_MECHANISMS.find((name) => {
    if (!offer.mechanisms.includes(name)) return false;
    if (name.endsWith("-PLUS")) return binding !== null;
    // PLAIN hands the password over; never while the server also speaks any SCRAM.
    if (name === "PLAIN") return !offersScram;
    return true;
  });
  if (!mechanism) {
    throw new SaslSecurityError(
      "sasl-no-mechanism",
      `${ServerName(options.domain)} offers no sign-in method Wren trusts with your password ` +
        `(it offers ${listed(offer.mechanisms)}${bindingNote(offer, binding)}). Wren did not sign in.`,
    );
  }

  const usesBinding = mechanism.endsWith("-PLUS");
  const current = { mechanism, channelBinding: usesBinding };
  const { pin } = options;
  if (pin && isWeaker(current, pin)) {
    throw new SaslSecurityError(
      "sasl-downgrade",
      `This account has signed in with ${described(pin)} before, but ${serverName(options.domain)} ` +
        `now offers only ${listed(offer.mechanisms)}${bindingNote(offer, binding)}. ` +
        "Servers rarely remove stronger methods; this may be an attack trying to weaken the sign-in. " +
        "Wren did not sign in.",
    );
  }

  const clientCanBind = clientBindings(offer, options).length > 0;
  return {
    mechanism,
    channelBinding: usesBinding ? binding : null,
    plainWarning: mechanism === "PLAIN",
    pin: stronger(pin, current),
    gs2Y: mechanism.startsWith("SCRAM-") && !usesBinding && clientCanBind && !offersPlus,
  };
}

/**
 * The strongest binding both ends support. With XEP-0440 the server says which types it takes.
 * Without it, Wren goes by what servers of that generation were measured to accept (see
 * test/integration/servers.test.ts): on TLS 1.2 only tls-unique, RFC 5802's default (Prosody
 * 0.12 and ejabberd 23.01 both refuse tls-server-end-point and tls-exporter there); on TLS 1.3
 * nothing dependable — tls-unique is undefined there (RFC 9266) yet ejabberd 23.01 still expects
 * it — so no -PLUS at all rather than a sign-in that fails.
 */
function mutualChannelBinding(
  offer: MechanismOffer,
  options: ChooseOptions,
): ChannelBindingType | null {
  const server = offer.channelBindings ?? (isTls13(offer) ? [] : ["tls-unique"]);
  return clientBindings(offer, options).find((type) => server.includes(type)) ?? null;
}

function clientBindings(offer: MechanismOffer, options: ChooseOptions): ChannelBindingType[] {
  if (options.clientChannelBindings) {
    return PREFERRED_BINDINGS.filter((type) => options.clientChannelBindings!.includes(type));
  }
  if (!offer.tlsVersion.startsWith("TLS")) return [];
  return isTls13(offer)
    ? ["tls-exporter", "tls-server-end-point"]
    : ["tls-server-end-point", "tls-unique"];
}

function isTls13(offer: MechanismOffer): boolean {
  return offer.tlsVersion === "TLSv1.3";
}

/** Pins written by a later Wren may name mechanisms this one does not rank. */
function rank(pin: MechanismPin): number {
  return RANK[pin.mechanism] ?? (pin.channelBinding ? RANK["SCRAM-SHA-1-PLUS"]! : RANK.EXTERNAL!);
}

function isWeaker(candidate: MechanismPin, reference: MechanismPin): boolean {
  if (reference.channelBinding && !candidate.channelBinding) return true;
  return rank(candidate) < rank(reference);
}

function stronger(pin: MechanismPin | null, current: MechanismPin): MechanismPin {
  return pin && isWeaker(current, pin) ? pin : current;
}

function described(pin: MechanismPin): string {
  return pin.channelBinding && !pin.mechanism.endsWith("-PLUS")
    ? `${pin.mechanism} with channel binding`
    : pin.mechanism;
}

function listed(mechanisms: string[]): string {
  return mechanisms.length > 0 ? mechanisms.join(", ") : "nothing";
}

function bindingNote(offer: MechanismOffer, binding: ChannelBindingType | null): string {
  const offersPlus = offer.mechanisms.some((name) => name.endsWith("-PLUS"));
  if (!offersPlus || binding) return "";
  const types = offer.channelBindings?.join(", ") || "none";
  return `, with channel-binding types Wren cannot use: ${types}`;
}
