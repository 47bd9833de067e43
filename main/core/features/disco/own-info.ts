import { xml, type Element } from "@xmpp/client";
import { NS_DATA_FORMS } from "../../stanzas/data-form";
import { capsHash } from "./caps-hash";
import { NS_CAPS, NS_DISCO_INFO, type DiscoIdentity, type DiscoInfo } from "./parse";

/** XEP-0115 'node': Wren's home page, the same for every version. */
export const WREN_CAPS_NODE = "https://wren.im";

export const WREN_IDENTITY: DiscoIdentity = {
  category: "client",
  type: "pc",
  name: "Wren",
  lang: "",
};

/** What Wren says about itself, and the caps 'ver' (SHA-1) of exactly that. */
export interface OwnInfo {
  info: DiscoInfo;
  ver: string;
}

/** Wren's disco#info: its identity, disco#info and caps, and what its features implement. */
export function ownInfo(features: readonly string[]): OwnInfo {
  const info: DiscoInfo = {
    identities: [WREN_IDENTITY],
    features: [...new Set([NS_DISCO_INFO, NS_CAPS, ...features])].sort(),
    forms: [],
  };
  const ver = capsHash(info, "sha-1");
  // Our own features come from a Set and our one identity: never ill-formed.
  if (ver === null) throw new Error("Wren's own disco#info is ill-formed");
  return { info, ver };
}

/** The <query/> of a disco#info result saying `info`, for `node` when one was asked about. */
export function buildInfoQuery(info: DiscoInfo, node?: string): Element {
  return xml(
    "query",
    { xmlns: NS_DISCO_INFO, ...(node && { node }) },
    ...info.identities.map((identity) =>
      xml("identity", {
        category: identity.category,
        type: identity.type,
        ...(identity.name && { name: identity.name }),
        ...(identity.lang && { "xml:lang": identity.lang }),
      }),
    ),
    ...info.features.map((feature) => xml("feature", { var: feature })),
    ...info.forms.map((form) =>
      xml(
        "x",
        { xmlns: NS_DATA_FORMS, type: "result" },
        xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, form.formType)),
        ...form.fields.map((field) =>
          xml("field", { var: field.var }, ...field.values.map((value) => xml("value", {}, value))),
        ),
      ),
    ),
  );
}

/** Our <c/> for a presence (XEP-0115 §4). */
export function buildCaps(ver: string): Element {
  return xml("c", { xmlns: NS_CAPS, hash: "sha-1", node: WREN_CAPS_NODE, ver });
}
