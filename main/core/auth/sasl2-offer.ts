import type { Element } from "@xmpp/client";
import type { MechanismOffer } from "../sasl/choose-mechanism";
import { NS_BIND2 } from "./bind2-request";
import { NS_FAST } from "./fast-token";
import { advertisedChannelBindings, mechanismNames } from "./offer";

export const NS_SASL2 = "urn:xmpp:sasl:2";

/** What a XEP-0388 <authentication/> feature offers. */
export interface Sasl2Offer {
  mechanisms: MechanismOffer;
  /** The inline XEP-0386 <bind/>; null when Bind2 is not offered. */
  bind: Element | null;
  /** The mechanisms of the inline XEP-0484 <fast/>; null when FAST is not offered. */
  fast: string[] | null;
  /** The other inline features (XEP-0198 <sm/>, …), for the inline registry. */
  inline: { ns: string; element: Element }[];
}

export function readSasl2Offer(
  features: Element,
  authentication: Element,
  tlsVersion: string,
): Sasl2Offer {
  const inline = authentication.getChild("inline", NS_SASL2)?.getChildElements() ?? [];
  const fast = inline.find((element) => element.is("fast", NS_FAST));
  return {
    mechanisms: {
      mechanisms: mechanismNames(authentication, NS_SASL2),
      channelBindings: advertisedChannelBindings(features),
      tlsVersion,
    },
    bind: inline.find((element) => element.is("bind", NS_BIND2)) ?? null,
    fast: fast ? mechanismNames(fast, NS_FAST) : null,
    inline: inline
      .filter((element) => element !== fast && !element.is("bind", NS_BIND2))
      .map((element) => ({ ns: element.getNS() ?? "", element })),
  };
}
