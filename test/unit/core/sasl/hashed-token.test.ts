import { describe, expect, it } from "vitest";
import {
  createHashedToken,
  hashedTokenChannelBinding,
} from "../../../../main/core/sasl/hashed-token";
import { SaslSecurityError } from "../../../../main/core/sasl/mechanism";

const token = "WXZzciBwYmFmdmZnZiBqdmd1IGp2eXFhcmZm";
const cbData = Buffer.from([1, 2, 3]);
// Computed with `printf 'Initiator' | openssl dgst -sha256 -hmac <token>` and the like.
const hex = (value: string) => Buffer.from(value, "hex");
const INITIATOR_NONE = hex("9097787461a184e0fa84ec00c1381190b6c4d16a8ec4453c7b2ac5e7fcf935ed");
const RESPONDER_NONE = hex("4e513409631474863b986c9f3e8c1e27ca29d1d7ab9ed4097e7afd6007bf9c62");
const INITIATOR_CB = hex("22c8c2e8b703f45737e417cf44d7a1befaf05ae71fc9bb4a96dc1f04cd55b36f");
const RESPONDER_CB = hex("aafc7e6e17c7bde2001c2fd1c5751e96e357860b9ef5d110f862b8422f571aeb");

describe("HT-SHA-256 (XEP-0484 FAST)", () => {
  it("NONE: username NUL HMAC(token, 'Initiator')", () => {
    const exchange = createHashedToken({
      mechanism: "HT-SHA-256-NONE",
      username: "user",
      token,
      channelBinding: null,
    });
    expect(exchange.name).toBe("HT-SHA-256-NONE");
    expect(exchange.initialResponse()).toEqual(
      Buffer.concat([Buffer.from("user\0"), INITIATOR_NONE]),
    );
    expect(() => exchange.success(RESPONDER_NONE)).not.toThrow();
  });

  it("ENDP and EXPR: the binding data follows the role label", () => {
    for (const [mechanism, type] of [
      ["HT-SHA-256-ENDP", "tls-server-end-point"],
      ["HT-SHA-256-EXPR", "tls-exporter"],
    ] as const) {
      expect(hashedTokenChannelBinding(mechanism)).toBe(type);
      const exchange = createHashedToken({
        mechanism,
        username: "user",
        token,
        channelBinding: { type, data: cbData },
      });
      expect(exchange.initialResponse().subarray(5)).toEqual(INITIATOR_CB);
      expect(() => exchange.success(RESPONDER_CB)).not.toThrow();
    }
  });

  it("rejects a success without the responder proof or with a wrong one", () => {
    for (const data of [null, Buffer.alloc(0), RESPONDER_CB, INITIATOR_NONE]) {
      const exchange = createHashedToken({
        mechanism: "HT-SHA-256-NONE",
        username: "user",
        token,
        channelBinding: null,
        domain: "example.org",
      });
      exchange.initialResponse();
      try {
        exchange.success(data);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(SaslSecurityError);
        expect((error as SaslSecurityError).code).toBe("sasl-server-unverified");
        expect((error as SaslSecurityError).message).toContain("example.org");
      }
    }
  });

  it("refuses a channel binding that does not fit the mechanism", () => {
    expect(() =>
      createHashedToken({
        mechanism: "HT-SHA-256-EXPR",
        username: "user",
        token,
        channelBinding: { type: "tls-server-end-point", data: cbData },
      }),
    ).toThrow(TypeError);
    expect(() =>
      createHashedToken({
        mechanism: "HT-SHA-256-ENDP",
        username: "u",
        token,
        channelBinding: null,
      }),
    ).toThrow(TypeError);
  });

  it("refuses challenges: HT is a single round trip", async () => {
    const exchange = createHashedToken({
      mechanism: "HT-SHA-256-NONE",
      username: "user",
      token,
      channelBinding: null,
    });
    await expect(exchange.challenge(Buffer.from("x"))).rejects.toThrow(SaslSecurityError);
  });
});
