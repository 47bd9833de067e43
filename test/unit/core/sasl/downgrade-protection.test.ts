import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  downgradeProtectionHash,
  legacyDowngradeProtectionHash,
  type AdvertisedLists,
} from "../../../../main/core/sasl/downgrade-protection";
import { SaslSecurityError } from "../../../../main/core/sasl/mechanism";
import { createScram } from "../../../../main/core/sasl/scram";
import { testScramServer } from "./scram-server";

const advertised = {
  mechanisms: ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"],
  channelBindings: ["tls-server-end-point", "tls-exporter"],
};

describe("XEP-0474 hash", () => {
  it("matches the XEP's own example (sorted, \\x1e between items, \\x1f before the types)", () => {
    expect(downgradeProtectionHash("sha1", advertised)).toBe("G6k/rBLDqgOhRRaCuuatSDFkJ08=");
  });

  it("leaves out the type section when XEP-0440 was not used", () => {
    const expected = createHash("sha256").update("PLAIN\x1eSCRAM-SHA-256").digest("base64");
    const lists = { mechanisms: ["SCRAM-SHA-256", "PLAIN"] };
    expect(downgradeProtectionHash("sha256", { ...lists, channelBindings: null })).toBe(expected);
    expect(downgradeProtectionHash("sha256", { ...lists, channelBindings: [] })).toBe(expected);
  });

  it("sorts by octets, so upper case comes before lower case", () => {
    const expected = createHash("sha1").update("B\x1ea").digest("base64");
    expect(downgradeProtectionHash("sha1", { mechanisms: ["a", "B"], channelBindings: null })).toBe(
      expected,
    );
  });

  it("computes the 0.3 'd' form with ',' and '|'", () => {
    const expected = createHash("sha1")
      .update("SCRAM-SHA-1,SCRAM-SHA-1-PLUS|tls-exporter,tls-server-end-point")
      .digest("base64");
    expect(legacyDowngradeProtectionHash("sha1", advertised)).toBe(expected);
  });
});

describe("SCRAM checks the server's downgrade-protection hash", () => {
  async function login(extra: string, seen: AdvertisedLists = advertised) {
    const exchange = createScram({
      hash: "sha1",
      username: "user",
      password: "pencil",
      channelBinding: null,
      clientSupportsCbButServerDidNotOffer: false,
      downgradeProtection: seen,
    });
    const server = testScramServer({ hash: "sha1", password: "pencil", extra });
    const clientFinal = await exchange.challenge(server.first(exchange.initialResponse()));
    const result = server.final(clientFinal);
    exchange.success(result.serverFinal);
    return result;
  }

  it("signs in when h= matches what the client saw", async () => {
    expect((await login(",h=G6k/rBLDqgOhRRaCuuatSDFkJ08=")).proofValid).toBe(true);
  });

  it("fails with sasl-downgrade when the client saw a stripped list", async () => {
    const stripped = { mechanisms: ["SCRAM-SHA-1"], channelBindings: null };
    try {
      await login(",h=G6k/rBLDqgOhRRaCuuatSDFkJ08=", stripped);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SaslSecurityError);
      expect((error as SaslSecurityError).code).toBe("sasl-downgrade");
    }
  });

  it("checks the legacy d= too", async () => {
    const good = legacyDowngradeProtectionHash("sha1", advertised);
    expect((await login(`,d=${good}`)).proofValid).toBe(true);
    await expect(login(",d=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).rejects.toThrow(SaslSecurityError);
  });

  it("signs in when the server sends no hash at all", async () => {
    expect((await login("")).proofValid).toBe(true);
  });
});
