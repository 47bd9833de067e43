import { describe, expect, it } from "vitest";
import {
  capsHash,
  capsInput,
  compareOctets,
} from "../../../../../main/core/features/disco/caps-hash";
import { parseDiscoInfo, type DiscoInfo } from "../../../../../main/core/features/disco/parse";
import { EXODUS_QUERY, EXODUS_VER, PSI_QUERY, PSI_VER, infoResult } from "./helpers";

function parsed(children: string) {
  const query = infoResult("romeo@montague.lit/orchard", children).getChild("query")!;
  return parseDiscoInfo(query);
}

const info = (children: string): DiscoInfo => parsed(children).info;

const FEATURE = (name: string) => `<feature var='${name}'/>`;

describe("XEP-0115 verification string", () => {
  it("gives the §5.2 simple example's ver", () => {
    expect(capsInput(info(EXODUS_QUERY))).toBe(
      "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<" +
        "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<" +
        "http://jabber.org/protocol/muc<",
    );
    expect(capsHash(info(EXODUS_QUERY), "sha-1")).toBe(EXODUS_VER);
  });

  it("gives the §5.3 complex example's ver: languages sorted, form fields and values appended", () => {
    const input = capsInput(info(PSI_QUERY));
    expect(input).toBe(
      "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<" +
        "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<" +
        "http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<" +
        "ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<",
    );
    expect(capsHash(info(PSI_QUERY))).toBe(PSI_VER);
  });

  it("does not depend on the order the answer lists things in", () => {
    const reversed =
      "<x xmlns='jabber:x:data' type='result'>" +
      "<field var='software_version'><value>0.11</value></field>" +
      "<field var='software'><value>Psi</value></field>" +
      "<field var='os_version'><value>10.5.1</value></field>" +
      "<field var='os'><value>Mac</value></field>" +
      "<field var='ip_version'><value>ipv6</value><value>ipv4</value></field>" +
      "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>" +
      "</x>" +
      FEATURE("http://jabber.org/protocol/muc") +
      FEATURE("http://jabber.org/protocol/disco#items") +
      FEATURE("http://jabber.org/protocol/disco#info") +
      FEATURE("http://jabber.org/protocol/caps") +
      "<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>" +
      "<identity xml:lang='el' category='client' name='&#936; 0.11' type='pc'/>";
    expect(capsHash(info(reversed))).toBe(PSI_VER);
  });

  it("sorts forms by FORM_TYPE", () => {
    const form = (type: string, value: string) =>
      "<x xmlns='jabber:x:data' type='result'>" +
      `<field var='FORM_TYPE' type='hidden'><value>${type}</value></field>` +
      `<field var='v'><value>${value}</value></field></x>`;
    const input = capsInput(info(form("urn:b", "2") + form("urn:a", "1")));
    expect(input).toBe("urn:a<v<1<urn:b<v<2<");
  });

  it("sorts by UTF-8 octets (i;octet), not by UTF-16 units", () => {
    // U+1F600 is F0… in UTF-8 but a surrogate (D83D…) in UTF-16, so it sorts after U+FB01 (EF…).
    expect(compareOctets("\u{1F600}", "\uFB01")).toBeGreaterThan(0);
    expect("\u{1F600}" < "\uFB01").toBe(true);
    expect(capsInput(info(FEATURE("urn:\u{1F600}") + FEATURE("urn:\uFB01")))).toBe(
      "urn:\uFB01<urn:\u{1F600}<",
    );
  });

  it("takes &lt; in the XML as a literal '<' and a written '&amp;lt;' as four characters", () => {
    expect(capsInput(info("<identity category='client' type='pc' name='a&amp;lt;b'/>"))).toBe(
      "client/pc//a&lt;b<",
    );
    expect(capsInput(info("<identity category='client' type='pc' name='a&lt;b'/>"))).toBe(
      "client/pc//a<b<",
    );
  });

  it("supports SHA-256 too", () => {
    expect(capsHash(info(EXODUS_QUERY), "sha-256")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(capsHash(info(EXODUS_QUERY), "sha-256")).not.toBe(EXODUS_VER);
  });
});

describe("XEP-0115 §5.4 ill-formed answers", () => {
  it("refuses two identical identities", () => {
    const identity = "<identity category='client' type='pc' name='X'/>";
    expect(capsHash(info(identity + identity))).toBeNull();
    // The same category and type with another name or language is fine.
    expect(
      capsHash(info(identity + "<identity category='client' type='pc' name='Y'/>")),
    ).not.toBeNull();
  });

  it("refuses a feature listed twice", () => {
    expect(capsHash(info(FEATURE("urn:a") + FEATURE("urn:a")))).toBeNull();
  });

  it("refuses two forms with the same FORM_TYPE", () => {
    const form =
      "<x xmlns='jabber:x:data' type='result'>" +
      "<field var='FORM_TYPE' type='hidden'><value>urn:a</value></field></x>";
    expect(capsHash(info(form + form))).toBeNull();
  });

  it("cannot verify a FORM_TYPE with two different values, or two FORM_TYPE fields", () => {
    const twoValues =
      "<x xmlns='jabber:x:data' type='result'>" +
      "<field var='FORM_TYPE' type='hidden'><value>urn:a</value><value>urn:b</value></field></x>";
    expect(parsed(EXODUS_QUERY + twoValues).verifiable).toBe(false);
    const twoFields =
      "<x xmlns='jabber:x:data' type='result'>" +
      "<field var='FORM_TYPE' type='hidden'><value>urn:a</value></field>" +
      "<field var='FORM_TYPE' type='hidden'><value>urn:b</value></field></x>";
    expect(parsed(EXODUS_QUERY + twoFields).verifiable).toBe(false);
    // The same value twice is not ambiguous.
    const sameTwice =
      "<x xmlns='jabber:x:data' type='result'>" +
      "<field var='FORM_TYPE' type='hidden'><value>urn:a</value><value>urn:a</value></field></x>";
    expect(parsed(EXODUS_QUERY + sameTwice).verifiable).toBe(true);
  });

  it("ignores a form without FORM_TYPE, or whose FORM_TYPE is not hidden, and keeps going", () => {
    const noType =
      "<x xmlns='jabber:x:data' type='result'><field var='os'><value>Mac</value></field></x>";
    const notHidden =
      "<x xmlns='jabber:x:data' type='result'>" +
      "<field var='FORM_TYPE'><value>urn:xmpp:dataforms:softwareinfo</value></field></x>";
    for (const form of [noType, notHidden]) {
      const result = parsed(EXODUS_QUERY + form);
      expect(result.verifiable).toBe(true);
      expect(result.info.forms).toEqual([]);
      expect(capsHash(result.info)).toBe(EXODUS_VER);
    }
  });
});
