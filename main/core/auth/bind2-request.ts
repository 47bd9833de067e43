import { xml, type Element } from "@xmpp/client";
import type { InlineRegistry } from "./sasl2-inline";

export const NS_BIND2 = "urn:xmpp:bind:0";

/** Names the client in the server-assigned resource ("Wren/…"); nothing about the person. */
export const BIND2_TAG = "Wren";

/**
 * The XEP-0386 <bind/> for <authenticate/>: Wren's tag, and the requests of the registered
 * features the server can enable inline (its <inline><feature var=…/>, keyed by that var).
 */
export async function bind2Request(offer: Element, features: InlineRegistry): Promise<Element> {
  const offered = (offer.getChild("inline", NS_BIND2)?.getChildren("feature", NS_BIND2) ?? [])
    .map((element) => ({ ns: element.attrs.var ?? "", element }))
    .filter(({ ns }) => ns !== "");
  return xml(
    "bind",
    { xmlns: NS_BIND2 },
    xml("tag", {}, BIND2_TAG),
    ...(await features.requests(offered)),
  );
}
