import { describe, expect, it } from "vitest";
import { resolveEndpoints } from "../../../main/core/endpoints";
import { captureLog } from "../credentials/capture-log";

const noSrv = async () => {
  throw Object.assign(new Error("queryNotFound"), { code: "ENOTFOUND" });
};
const srv =
  (...records: [string, number, number, number][]) =>
  async (name: string) => {
    srv.asked.push(name);
    return records.map(([target, port, priority, weight]) => ({
      name: target,
      port,
      priority,
      weight,
    }));
  };
srv.asked = [] as string[];

describe("resolveEndpoints", () => {
  it("uses the host override, with the default port of the chosen kind", async () => {
    expect(
      await resolveEndpoints({ domain: "example.org", host: "10.0.0.1", directTls: false }, noSrv),
    ).toEqual(["xmpp://10.0.0.1:5222"]);
    expect(
      await resolveEndpoints(
        { domain: "example.org", host: "chat.example.net", port: 443, directTls: true },
        noSrv,
      ),
    ).toEqual(["xmpps://chat.example.net:443"]);
    expect(
      await resolveEndpoints({ domain: "example.org", host: "::1", directTls: true }, noSrv),
    ).toEqual(["xmpps://[::1]:5223"]);
  });

  it("asks for the SRV records of the chosen kind only, best first", async () => {
    srv.asked.length = 0;
    const lookup = srv(
      ["b.example.org.", 5223, 10, 0],
      ["a.example.org", 5224, 5, 0],
      ["c.example.org", 5225, 10, 50],
    );
    expect(await resolveEndpoints({ domain: "example.org", directTls: true }, lookup)).toEqual([
      "xmpps://a.example.org:5224",
      "xmpps://c.example.org:5225",
      "xmpps://b.example.org:5223",
    ]);
    expect(srv.asked).toEqual(["_xmpps-client._tcp.example.org"]);
  });

  it("merges direct TLS and STARTTLS records by priority and weight, direct TLS first on a tie", async () => {
    const records: Record<string, [string, number, number, number][]> = {
      "_xmpps-client._tcp.example.org": [
        ["tls.example.org", 443, 10, 5],
        ["backup.example.org", 5223, 30, 0],
      ],
      "_xmpp-client._tcp.example.org": [
        ["plain.example.org", 5222, 10, 5],
        ["first.example.org", 5222, 5, 0],
      ],
    };
    const asked: string[] = [];
    const lookup = async (name: string) => {
      asked.push(name);
      return (records[name] ?? []).map(([target, port, priority, weight]) => ({
        name: target,
        port,
        priority,
        weight,
      }));
    };
    expect(await resolveEndpoints({ domain: "example.org", directTls: false }, lookup)).toEqual([
      "xmpp://first.example.org:5222",
      "xmpps://tls.example.org:443",
      "xmpp://plain.example.org:5222",
      "xmpps://backup.example.org:5223",
    ]);
    expect(asked.sort()).toEqual([
      "_xmpp-client._tcp.example.org",
      "_xmpps-client._tcp.example.org",
    ]);
  });

  it("uses whichever kind has records when the other lookup fails", async () => {
    const lookup = async (name: string) => {
      if (name.startsWith("_xmpps-client"))
        throw Object.assign(new Error("no"), { code: "ENODATA" });
      return [{ name: "x.example.org", port: 5222, priority: 0, weight: 0 }];
    };
    expect(await resolveEndpoints({ domain: "example.org", directTls: false }, lookup)).toEqual([
      "xmpp://x.example.org:5222",
    ]);
  });

  it("falls back to the domain when there are no SRV records", async () => {
    expect(await resolveEndpoints({ domain: "example.org", directTls: false }, noSrv)).toEqual([
      "xmpp://example.org:5222",
    ]);
    expect(
      await resolveEndpoints({ domain: "example.org", directTls: true }, srv([".", 0, 0, 0])),
    ).toEqual(["xmpps://example.org:5223"]);
  });

  it("never offers a plaintext (STARTTLS) address to a direct-TLS account", async () => {
    const lookup = srv(["a.example.org", 5222, 0, 0]);
    const endpoints = await resolveEndpoints({ domain: "example.org", directTls: true }, lookup);
    expect(endpoints.every((uri) => uri.startsWith("xmpps://"))).toBe(true);
  });
});

describe("resolveEndpoints when DNS fails", () => {
  const logLines = captureLog();

  it("logs a failing resolver, but not a domain without records, and tries the domain", async () => {
    expect(await resolveEndpoints({ domain: "example.org", directTls: true }, noSrv)).toEqual([
      "xmpps://example.org:5223",
    ]);
    expect(logLines).toEqual([]);

    const failing = async () => {
      throw Object.assign(new Error("querySrv ESERVFAIL"), { code: "ESERVFAIL" });
    };
    expect(await resolveEndpoints({ domain: "example.org", directTls: true }, failing)).toEqual([
      "xmpps://example.org:5223",
    ]);
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatch(/\[core\/endpoints\] SRV lookup failed/);
    expect(logLines[0]).toContain("_xmpps-client._tcp.example.org");
    expect(logLines[0]).toContain("ESERVFAIL");
  });
});
