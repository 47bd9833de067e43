import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import {
  DISCO_LIMITS,
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  parseCaps,
  parseDiscoInfo,
  parseDiscoItems,
} from "../../../../../main/core/features/disco/parse";
import { PSI_QUERY, infoResult, presence, stanza } from "./helpers";

describe("parseDiscoInfo", () => {
  it("reads identities, features and extension forms as plain data", () => {
    const query = infoResult("benvolio@capulet.lit/230193", PSI_QUERY).getChild("query")!;
    const { info, verifiable } = parseDiscoInfo(query);
    expect(verifiable).toBe(true);
    expect(info.identities).toEqual([
      { category: "client", type: "pc", name: "Psi 0.11", lang: "en" },
      { category: "client", type: "pc", name: "Ψ 0.11", lang: "el" },
    ]);
    expect(info.features).toContain("http://jabber.org/protocol/muc");
    expect(info.forms).toEqual([
      {
        formType: "urn:xmpp:dataforms:softwareinfo",
        fields: [
          { var: "ip_version", values: ["ipv4", "ipv6"] },
          { var: "os", values: ["Mac"] },
          { var: "os_version", values: ["10.5.1"] },
          { var: "software", values: ["Psi"] },
          { var: "software_version", values: ["0.11"] },
        ],
      },
    ]);
  });

  it("keeps values exactly as sent, spaces included (the hash covers them)", () => {
    const { info } = parseDiscoInfo(
      stanza(
        `<query xmlns='${NS_DISCO_INFO}'><x xmlns='jabber:x:data' type='result'>` +
          "<field var='FORM_TYPE' type='hidden'><value>urn:a</value></field>" +
          "<field var='note'><value> two  spaces </value></field></x></query>",
      ),
    );
    expect(info.forms[0]?.fields).toEqual([{ var: "note", values: [" two  spaces "] }]);
  });

  it("skips identities without category or type, and then cannot verify the answer", () => {
    const { info, verifiable } = parseDiscoInfo(
      xml(
        "query",
        { xmlns: NS_DISCO_INFO },
        xml("identity", { category: "client" }),
        xml("identity", { category: "server", type: "im" }),
      ),
    );
    expect(info.identities).toEqual([{ category: "server", type: "im", name: "", lang: "" }]);
    expect(verifiable).toBe(false);
  });

  it("ignores what lies beyond its limits and marks the answer unverifiable", () => {
    const many = (count: number, make: (i: number) => ReturnType<typeof xml>) =>
      Array.from({ length: count }, (_, i) => make(i));
    const { info, verifiable } = parseDiscoInfo(
      xml(
        "query",
        { xmlns: NS_DISCO_INFO },
        ...many(DISCO_LIMITS.identities + 5, (i) =>
          xml("identity", { category: "c", type: `t${i}` }),
        ),
        ...many(DISCO_LIMITS.features + 50, (i) => xml("feature", { var: `urn:f:${i}` })),
      ),
    );
    expect(info.identities).toHaveLength(DISCO_LIMITS.identities);
    expect(info.features).toHaveLength(DISCO_LIMITS.features);
    expect(verifiable).toBe(false);
  });

  it("caps every string, and then cannot verify the answer", () => {
    const long = "x".repeat(DISCO_LIMITS.text * 3);
    const { info, verifiable } = parseDiscoInfo(
      xml(
        "query",
        { xmlns: NS_DISCO_INFO },
        xml("identity", { category: "client", type: "pc", name: long }),
        xml("feature", { var: long }),
      ),
    );
    expect(info.identities[0]?.name).toHaveLength(DISCO_LIMITS.text);
    expect(info.features[0]).toHaveLength(DISCO_LIMITS.text);
    expect(verifiable).toBe(false);
  });

  it("ignores elements of other namespaces", () => {
    const { info } = parseDiscoInfo(
      stanza(
        `<query xmlns='${NS_DISCO_INFO}'><feature var='urn:ok'/>` +
          "<feature xmlns='urn:other' var='urn:not'/></query>",
      ),
    );
    expect(info.features).toEqual(["urn:ok"]);
  });
});

describe("parseDiscoItems", () => {
  it("reads items with a valid JID, bounded", () => {
    const items = parseDiscoItems(
      xml(
        "query",
        { xmlns: NS_DISCO_ITEMS },
        xml("item", { jid: "upload.example.org", name: "HTTP upload" }),
        xml("item", { jid: "not a jid" }),
        xml("item", { jid: "pubsub.example.org", node: "news" }),
        ...Array.from({ length: DISCO_LIMITS.items }, (_, i) =>
          xml("item", { jid: `s${i}.example.org` }),
        ),
      ),
    );
    expect(items.slice(0, 2)).toEqual([
      { jid: "upload.example.org", node: "", name: "HTTP upload" },
      { jid: "pubsub.example.org", node: "news", name: "" },
    ]);
    expect(items).toHaveLength(DISCO_LIMITS.items);
  });
});

describe("parseCaps", () => {
  it("reads hash, node and ver", () => {
    expect(
      parseCaps(presence("romeo@montague.lit/orchard", { hash: "SHA-1", ver: "abc=" })),
    ).toEqual({
      hash: "sha-1",
      node: "http://code.google.com/p/exodus",
      ver: "abc=",
    });
  });

  it("treats the legacy format (no hash), a missing <c/> and oversized values as no caps", () => {
    const legacy = xml(
      "presence",
      {},
      xml("c", { xmlns: "http://jabber.org/protocol/caps", node: "http://x", ver: "0.9" }),
    );
    expect(parseCaps(legacy)).toBeNull();
    expect(parseCaps(presence("romeo@montague.lit/orchard"))).toBeNull();
    expect(parseCaps(presence("a@b/c", { ver: "v".repeat(DISCO_LIMITS.ver + 1) }))).toBeNull();
    expect(
      parseCaps(presence("a@b/c", { ver: "x", node: "n".repeat(DISCO_LIMITS.text + 1) })),
    ).toBeNull();
  });
});
