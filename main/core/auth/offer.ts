import type { Element } from "@xmpp/client";

const NS_SASL_CB = "urn:xmpp:sasl-cb:0";

/** The <mechanism/> names under `parent` (SASL, SASL2 or FAST alike). */
export function mechanismNames(parent: Element, ns: string): string[] {
  return parent
    .getChildren("mechanism", ns)
    .map((mechanism) => mechanism.text().trim())
    .filter(Boolean);
}

/** XEP-0440 channel-binding types listed in the stream features; null when none are listed. */
export function advertisedChannelBindings(features: Element): string[] | null {
  const bindings = features.getChild("sasl-channel-binding", NS_SASL_CB);
  if (!bindings) return null;
  return bindings
    .getChildren("channel-binding", NS_SASL_CB)
    .map((binding) => binding.attrs.type ?? "")
    .filter(Boolean);
}
