import type { Element } from "@xmpp/client";
import type { MechanismOffer } from "../sasl/choose-mechanism";
import { NS_BIND2 } from "./bind2-request";
import { NS_FAST } from "./fast-token";

export const NS_SASL2 = "urn:xmpp:sasl:2";
const NS_SASL_CB = "urn:xmpp:sasl-cb:0";

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
      channelBindings: channelBindings(features),
      tlsVersion,
    },
    bind: inline.find((element) => element.is("bind", NS_BIND2)) ?? null,
    fast: fast ? mechanismNames(fast, NS_FAST) : null,
    inline: inline
      .filter((element) => element !== fast && !element.is("bind", NS_BIND2))
      .map((element) => ({ ns: element.getNS() ?? "", element })),
  };
}

function mechanismNames(parent: Element, ns: string): string[] {
  return parent
    .getChildren("mechanism", ns)
    .map((mechanism) => mechanism.text().trim())
    .filter(Boolean);
}

/** XEP-0440 types, as sasl-feature.ts reads them for RFC 6120 SASL. */
function channelBindings(features: Element): string[] | null {
  const bindings = features.getChild("sasl-channel-binding", NS_SASL_CB);
  if (!bindings) return null;
  return bindings
    .getChildren("channel-binding", NS_SASL_CB)
    .map((binding) => binding.attrs.type ?? "")
    .filter(Boolean);
}
