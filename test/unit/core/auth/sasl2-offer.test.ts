import { describe, expect, it } from "vitest";
import { xml } from "@xmpp/client";
import { readSasl2Offer } from "../../../../main/core/auth/sasl2-offer";

const NS = "urn:xmpp:sasl:2";

function features(...children: ReturnType<typeof xml>[]) {
  return xml("stream:features", {}, ...children);
}

describe("readSasl2Offer", () => {
  it("reads mechanisms, XEP-0440 bindings, Bind2, FAST and the other inline features", () => {
    const authentication = xml(
      "authentication",
      { xmlns: NS },
      xml("mechanism", {}, "SCRAM-SHA-256"),
      xml("mechanism", {}, " SCRAM-SHA-256-PLUS "),
      xml("upgrade", {}, "SCRAM-SHA-512"),
      xml(
        "inline",
        {},
        xml(
          "bind",
          { xmlns: "urn:xmpp:bind:0" },
          xml("inline", {}, xml("feature", { var: "urn:xmpp:sm:3" })),
        ),
        xml("fast", { xmlns: "urn:xmpp:fast:0" }, xml("mechanism", {}, "HT-SHA-256-NONE")),
        xml("sm", { xmlns: "urn:xmpp:sm:3" }),
      ),
    );
    const offer = readSasl2Offer(
      features(
        authentication,
        xml(
          "sasl-channel-binding",
          { xmlns: "urn:xmpp:sasl-cb:0" },
          xml("channel-binding", { type: "tls-exporter" }),
        ),
      ),
      authentication,
      "TLSv1.3",
    );
    expect(offer.mechanisms).toEqual({
      mechanisms: ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"],
      channelBindings: ["tls-exporter"],
      tlsVersion: "TLSv1.3",
    });
    expect(offer.bind?.is("bind", "urn:xmpp:bind:0")).toBe(true);
    expect(offer.fast).toEqual(["HT-SHA-256-NONE"]);
    expect(offer.inline.map(({ ns }) => ns)).toEqual(["urn:xmpp:sm:3"]);
  });

  it("says when Bind2, FAST and XEP-0440 are not offered", () => {
    const authentication = xml("authentication", { xmlns: NS }, xml("mechanism", {}, "PLAIN"));
    const offer = readSasl2Offer(features(authentication), authentication, "TLSv1.2");
    expect(offer).toMatchObject({ bind: null, fast: null, inline: [] });
    expect(offer.mechanisms.channelBindings).toBeNull();
  });

  it("does not take RFC 6120 mechanisms for SASL2 ones", () => {
    const authentication = xml(
      "authentication",
      { xmlns: NS },
      xml("mechanism", { xmlns: "urn:ietf:params:xml:ns:xmpp-sasl" }, "PLAIN"),
    );
    expect(
      readSasl2Offer(features(authentication), authentication, "").mechanisms.mechanisms,
    ).toEqual([]);
  });
});
