import { describe, expect, it } from "vitest";
import {
  chooseMechanism,
  type ChooseOptions,
  type MechanismOffer,
  type MechanismPin,
} from "../../../../main/core/sasl/choose-mechanism";
import { SaslSecurityError } from "../../../../main/core/sasl/mechanism";

const ALL = ["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"];
const BOTH_TYPES = ["tls-server-end-point", "tls-exporter"];

function offer(mechanisms: string[], overrides: Partial<MechanismOffer> = {}): MechanismOffer {
  return { mechanisms, channelBindings: BOTH_TYPES, tlsVersion: "TLSv1.3", ...overrides };
}

function choose(
  offered: MechanismOffer,
  pin: MechanismPin | null = null,
  options: Partial<ChooseOptions> = {},
) {
  return chooseMechanism(offered, {
    credential: "password",
    pin,
    domain: "example.org",
    ...options,
  });
}

function refusal(step: () => unknown): SaslSecurityError {
  try {
    step();
  } catch (error) {
    expect(error).toBeInstanceOf(SaslSecurityError);
    return error as SaslSecurityError;
  }
  throw new Error("expected a SaslSecurityError");
}

describe("mechanism preference", () => {
  it("ranks SCRAM-SHA-256-PLUS > SCRAM-SHA-1-PLUS > SCRAM-SHA-256 > SCRAM-SHA-1 > PLAIN", () => {
    const picks: string[] = [];
    const remaining = [...ALL];
    while (remaining.length > 0) {
      const { mechanism } = choose(offer(remaining));
      picks.push(mechanism);
      remaining.splice(remaining.indexOf(mechanism), 1);
    }
    expect(picks).toEqual([
      "SCRAM-SHA-256-PLUS",
      "SCRAM-SHA-1-PLUS",
      "SCRAM-SHA-256",
      "SCRAM-SHA-1",
      "PLAIN",
    ]);
  });

  it("uses tls-exporter on TLS 1.3 and remembers channel binding in the pin", () => {
    expect(choose(offer(ALL))).toEqual({
      mechanism: "SCRAM-SHA-256-PLUS",
      channelBinding: "tls-exporter",
      plainWarning: false,
      pin: { mechanism: "SCRAM-SHA-256-PLUS", channelBinding: true },
      gs2Y: false,
    });
  });

  it("uses tls-server-end-point on TLS 1.2, where tls-exporter is not defined", () => {
    const choice = choose(offer(ALL, { tlsVersion: "TLSv1.2" }));
    expect(choice.mechanism).toBe("SCRAM-SHA-256-PLUS");
    expect(choice.channelBinding).toBe("tls-server-end-point");
  });

  it("without XEP-0440, binds with tls-unique on TLS 1.2 and not at all on TLS 1.3", () => {
    expect(
      choose(offer(ALL, { channelBindings: null, tlsVersion: "TLSv1.2" })).channelBinding,
    ).toBe("tls-unique");
    const tls13 = choose(offer(ALL, { channelBindings: null }));
    expect(tls13).toMatchObject({ mechanism: "SCRAM-SHA-256", channelBinding: null, gs2Y: false });
  });

  it("uses only bindings the client can compute", () => {
    const choice = choose(offer(ALL), null, { clientChannelBindings: ["tls-server-end-point"] });
    expect(choice.channelBinding).toBe("tls-server-end-point");
    const none = choose(offer(ALL), null, { clientChannelBindings: [] });
    expect(none.mechanism).toBe("SCRAM-SHA-256");
  });

  it("skips -PLUS without a mutual binding type, and then sends 'n', not 'y'", () => {
    const choice = choose(offer(ALL, { channelBindings: ["tls-unique"] }));
    expect(choice.mechanism).toBe("SCRAM-SHA-256");
    expect(choice.channelBinding).toBeNull();
    expect(choice.gs2Y).toBe(false);
  });

  it("sets gs2Y when TLS could bind but the server offered no -PLUS", () => {
    const choice = choose(offer(["SCRAM-SHA-256", "SCRAM-SHA-1"], { channelBindings: null }));
    expect(choice).toMatchObject({ mechanism: "SCRAM-SHA-256", channelBinding: null, gs2Y: true });
  });

  it("does not set gs2Y without TLS", () => {
    const choice = choose(offer(["SCRAM-SHA-256"], { channelBindings: null, tlsVersion: "" }));
    expect(choice.gs2Y).toBe(false);
  });

  it("uses PLAIN only when no SCRAM is offered, and warns", () => {
    expect(choose(offer(["PLAIN", "SCRAM-SHA-1"])).mechanism).toBe("SCRAM-SHA-1");
    const plain = choose(offer(["PLAIN"]));
    expect(plain).toMatchObject({ mechanism: "PLAIN", plainWarning: true, gs2Y: false });
    expect(plain.pin).toEqual({ mechanism: "PLAIN", channelBinding: false });
  });

  it("does not fall back to PLAIN when the offered SCRAM is one Wren cannot use", () => {
    const error = refusal(() => choose(offer(["SCRAM-SHA-512", "PLAIN"])));
    expect(error.code).toBe("sasl-no-mechanism");
    const plusOnly = refusal(() =>
      choose(offer(["SCRAM-SHA-256-PLUS", "PLAIN"], { channelBindings: ["tls-unique"] })),
    );
    expect(plusOnly.code).toBe("sasl-no-mechanism");
    expect(plusOnly.message).toContain("tls-unique");
  });

  it("never uses ANONYMOUS, and ignores EXTERNAL for a password", () => {
    expect(refusal(() => choose(offer(["ANONYMOUS"]))).code).toBe("sasl-no-mechanism");
    expect(choose(offer(["ANONYMOUS", "EXTERNAL", "PLAIN"])).mechanism).toBe("PLAIN");
    const error = refusal(() => choose(offer(["ANONYMOUS", "DIGEST-MD5"])));
    expect(error.message).toContain("ANONYMOUS, DIGEST-MD5");
  });
});

describe("client certificates", () => {
  it("use EXTERNAL only", () => {
    const choice = choose(offer([...ALL, "EXTERNAL"]), null, { credential: "client-certificate" });
    expect(choice).toMatchObject({ mechanism: "EXTERNAL", channelBinding: null, gs2Y: false });
  });

  it("fail clearly when EXTERNAL is not offered", () => {
    const error = refusal(() => choose(offer(ALL), null, { credential: "client-certificate" }));
    expect(error.code).toBe("sasl-no-mechanism");
    expect(error.message).toContain("EXTERNAL");
    expect(error.message).toContain("example.org");
  });
});

describe("pinning", () => {
  const plusPin = { mechanism: "SCRAM-SHA-256-PLUS", channelBinding: true };

  it("refuses to lose channel binding once it was used", () => {
    const error = refusal(() => choose(offer(["SCRAM-SHA-256", "SCRAM-SHA-1"]), plusPin));
    expect(error.code).toBe("sasl-downgrade");
    expect(error.message).toContain("SCRAM-SHA-256-PLUS");
    expect(error.message).toContain("SCRAM-SHA-256, SCRAM-SHA-1");
    expect(error.message).toContain("attack");
  });

  it("refuses -PLUS when the advertised binding types no longer match", () => {
    const error = refusal(() => choose(offer(ALL, { channelBindings: ["tls-unique"] }), plusPin));
    expect(error.code).toBe("sasl-downgrade");
    expect(error.message).toContain("tls-unique");
  });

  it("refuses PLAIN after SCRAM (or EXTERNAL) was used", () => {
    for (const mechanism of ["SCRAM-SHA-1", "EXTERNAL"]) {
      const pin = { mechanism, channelBinding: false };
      expect(refusal(() => choose(offer(["PLAIN"]), pin)).code).toBe("sasl-downgrade");
    }
  });

  it("refuses a weaker SCRAM hash than the pinned one", () => {
    const pin = { mechanism: "SCRAM-SHA-256", channelBinding: false };
    expect(refusal(() => choose(offer(["SCRAM-SHA-1"]), pin)).code).toBe("sasl-downgrade");
  });

  it("accepts the pinned level and raises the pin when the server improves", () => {
    const oldPin = { mechanism: "SCRAM-SHA-1", channelBinding: false };
    expect(choose(offer(["SCRAM-SHA-1"]), oldPin).pin).toEqual(oldPin);
    expect(choose(offer(ALL), oldPin).pin).toEqual(plusPin);
    expect(choose(offer(["PLAIN"]), { mechanism: "PLAIN", channelBinding: false }).mechanism).toBe(
      "PLAIN",
    );
  });

  it("keeps the stronger pin when a certificate sign-in uses EXTERNAL", () => {
    const choice = choose(offer(["EXTERNAL"]), plusPin, { credential: "client-certificate" });
    expect(choice.pin).toEqual(plusPin);
  });

  it("requires channel binding whenever the pin says so, whatever mechanism it names", () => {
    const pin = { mechanism: "SCRAM-SHA-1", channelBinding: true };
    const error = refusal(() => choose(offer(["SCRAM-SHA-256"], { channelBindings: null }), pin));
    expect(error.code).toBe("sasl-downgrade");
    expect(error.message).toContain("SCRAM-SHA-1 with channel binding");
  });

  it("ranks a pin it does not know by its channel-binding flag", () => {
    const future = { mechanism: "SCRAM-SHA-512-PLUS", channelBinding: true };
    expect(choose(offer(["SCRAM-SHA-1-PLUS"]), future).mechanism).toBe("SCRAM-SHA-1-PLUS");
    expect(refusal(() => choose(offer(["SCRAM-SHA-256"]), future)).code).toBe("sasl-downgrade");
  });
});
