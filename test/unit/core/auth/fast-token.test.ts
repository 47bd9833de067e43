import { describe, expect, it } from "vitest";
import { xml } from "@xmpp/client";
import { planFast, readToken, type FastContext } from "../../../../main/core/auth/fast-token";

const NOW = new Date("2025-06-01T12:00:00Z");
const ALL = ["HT-SHA-256-NONE", "HT-SHA-256-ENDP", "HT-SHA-256-EXPR"];

function context(overrides: Partial<FastContext> = {}): FastContext {
  return {
    offered: ALL,
    clientBindings: ["tls-exporter", "tls-server-end-point"],
    serverBindings: null,
    now: NOW,
    ...overrides,
  };
}

const token = (mechanism: string, expiry = "2025-06-02T12:00:00Z") => ({
  mechanism,
  token: "secret",
  expiry,
});

describe("planFast", () => {
  it("asks for a token bound to the strongest channel binding both ends have", () => {
    expect(planFast(null, context()).request).toBe("HT-SHA-256-EXPR");
    expect(planFast(null, context({ clientBindings: ["tls-server-end-point"] })).request).toBe(
      "HT-SHA-256-ENDP",
    );
    expect(planFast(null, context({ clientBindings: [] })).request).toBe("HT-SHA-256-NONE");
  });

  it("follows the server's XEP-0440 list when it sent one", () => {
    const plan = planFast(null, context({ serverBindings: ["tls-server-end-point"] }));
    expect(plan.request).toBe("HT-SHA-256-ENDP");
  });

  it("ignores mechanisms it does not speak, and asks for none if nothing fits", () => {
    expect(planFast(null, context({ offered: ["HT-SHA-256-UNIQ", "HT-SHA-512-NONE"] }))).toEqual({
      use: null,
      expired: false,
      request: null,
    });
  });

  it("uses a kept token that is unexpired and offered", () => {
    const kept = token("HT-SHA-256-ENDP");
    expect(planFast(kept, context())).toEqual({
      use: kept,
      expired: false,
      request: "HT-SHA-256-EXPR",
    });
  });

  it("marks an expired token (or one with no readable expiry) for deletion, unsent", () => {
    for (const expiry of ["2025-06-01T11:59:59Z", "2025-06-01T12:00:00Z", "soon"]) {
      const plan = planFast(token("HT-SHA-256-NONE", expiry), context());
      expect(plan).toMatchObject({ use: null, expired: true });
    }
  });

  it("keeps, but does not use, a token whose mechanism is not usable on this connection", () => {
    const plan = planFast(token("HT-SHA-256-EXPR"), context({ clientBindings: [] }));
    expect(plan).toEqual({ use: null, expired: false, request: "HT-SHA-256-NONE" });
    expect(planFast(token("HT-SHA-256-EXPR"), context({ offered: ["HT-SHA-256-NONE"] })).use).toBe(
      null,
    );
  });
});

describe("readToken", () => {
  it("binds the token to the mechanism it was asked for", () => {
    const element = xml("token", {
      xmlns: "urn:xmpp:fast:0",
      token: "WXZzciBwYmFm",
      expiry: "2020-03-12T14:36:15Z",
    });
    expect(readToken(element, "HT-SHA-256-ENDP")).toEqual({
      mechanism: "HT-SHA-256-ENDP",
      token: "WXZzciBwYmFm",
      expiry: "2020-03-12T14:36:15Z",
    });
  });

  it("refuses an incomplete token", () => {
    const ns = "urn:xmpp:fast:0";
    expect(readToken(xml("token", { xmlns: ns, token: "t" }), "HT-SHA-256-NONE")).toBeNull();
    expect(readToken(xml("token", { xmlns: ns, expiry: NOW.toISOString() }), "x")).toBeNull();
    expect(readToken(xml("token", { xmlns: ns, token: "t", expiry: "never" }), "x")).toBeNull();
  });
});
