import { describe, expect, it } from "vitest";
import { createExternal } from "../../../../main/core/sasl/external";
import { SaslSecurityError } from "../../../../main/core/sasl/mechanism";
import { createPlain } from "../../../../main/core/sasl/plain";

describe("PLAIN", () => {
  it("sends NUL username NUL password, without an authzid", () => {
    const exchange = createPlain("juliet", "r0m\u00E9o");
    expect(exchange.name).toBe("PLAIN");
    expect(exchange.initialResponse()).toEqual(Buffer.from("\0juliet\0r0m\u00E9o", "utf8"));
    expect(() => exchange.success(null)).not.toThrow();
  });

  it("refuses a challenge", async () => {
    await expect(createPlain("a", "b").challenge(Buffer.from("x"))).rejects.toThrow(
      SaslSecurityError,
    );
  });
});

describe("EXTERNAL", () => {
  it("sends an empty initial response without an authzid (XEP-0178)", async () => {
    const exchange = createExternal();
    expect(exchange.name).toBe("EXTERNAL");
    expect(exchange.initialResponse().length).toBe(0);
    expect((await exchange.challenge(Buffer.alloc(0))).length).toBe(0);
    expect(() => exchange.success(null)).not.toThrow();
  });

  it("sends the authzid when one is given", async () => {
    const exchange = createExternal("juliet@example.com");
    expect(exchange.initialResponse().toString()).toBe("juliet@example.com");
    expect((await exchange.challenge(Buffer.alloc(0))).toString()).toBe("juliet@example.com");
  });

  it("refuses a non-empty challenge", async () => {
    await expect(createExternal().challenge(Buffer.from("x"))).rejects.toThrow(SaslSecurityError);
  });
});
