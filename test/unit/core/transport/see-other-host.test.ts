import { describe, expect, it } from "vitest";
import { redirectService } from "../../../../main/core/transport/see-other-host";

describe("redirectService", () => {
  it("follows a redirect within the account's domain, keeping the kind of TLS", () => {
    expect(redirectService("xmpp://a.example.org:5222", "example.org", "example.org")).toBe(
      "xmpp://example.org:5222",
    );
    expect(redirectService("xmpps://a.example.org:5223", "b.example.org:443", "example.org")).toBe(
      "xmpps://b.example.org:443",
    );
    expect(redirectService("xmpp://x:5222", "XMPP.Example.Org.", "example.org")).toBe(
      "xmpp://xmpp.example.org:5222",
    );
  });

  it.each([
    ["another domain", "evil.example"],
    ["a look-alike suffix", "notexample.org"],
    ["the parent domain", "org"],
    ["an IP address", "203.0.113.9"],
    ["a bad port", "b.example.org:70000"],
    ["garbage", "example.org/../x"],
    ["nothing", ""],
  ])("refuses %s", (_, host) => {
    expect(redirectService("xmpp://a.example.org:5222", host, "example.org")).toBeNull();
  });
});
