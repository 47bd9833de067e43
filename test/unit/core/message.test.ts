import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { buildChatMessage, parseChatMessage, parseDelay } from "../../../main/core/stanzas/message";

const NOW = Date.UTC(2025, 0, 2, 12, 0, 0);

function message(attrs: Record<string, string>, ...children: ReturnType<typeof xml>[]) {
  return xml("message", { from: "Bob@Example.org/phone", id: "m1", ...attrs }, ...children);
}
const body = (text: string, lang?: string) => xml("body", { "xml:lang": lang }, text);

describe("parseChatMessage", () => {
  it("reads a chat message, with the bare sender and local receive time", () => {
    expect(parseChatMessage(message({ type: "chat" }, body("hi")), NOW)).toEqual({
      id: "m1",
      from: "bob@example.org",
      body: "hi",
      timestamp: NOW,
      delayed: false,
      originId: null,
      stanzaIds: [],
      fileUrl: null,
    });
  });

  it("reads XEP-0359 origin-id and stanza-ids, bounded, leaving trust to the caller", () => {
    const parsed = parseChatMessage(
      message(
        { type: "chat" },
        body("hi"),
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "o-1" }),
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "s-1", by: "Alice@Example.org" }),
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "s-2" }),
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "x".repeat(200), by: "example.org" }),
        ...Array.from({ length: 20 }, (_, i) =>
          xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: `many-${i}`, by: "example.org" }),
        ),
      ),
      NOW,
    );
    expect(parsed?.originId).toBe("o-1");
    expect(parsed?.stanzaIds[0]).toEqual({ id: "s-1", by: "alice@example.org" });
    expect(parsed?.stanzaIds).toHaveLength(8);
    expect(parsed?.stanzaIds.some((stanzaId) => stanzaId.id.length > 128)).toBe(false);
  });

  it("accepts type normal and a missing type", () => {
    expect(parseChatMessage(message({ type: "normal" }, body("a")), NOW)?.body).toBe("a");
    expect(parseChatMessage(message({}, body("b")), NOW)?.body).toBe("b");
  });

  it.each(["error", "groupchat", "headline", "bogus"])("ignores type=%s", (type) => {
    expect(parseChatMessage(message({ type }, body("x")), NOW)).toBeNull();
  });

  it("ignores messages without a body, with an empty body, or without a sender", () => {
    const chatState = xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" });
    expect(parseChatMessage(message({ type: "chat" }, chatState), NOW)).toBeNull();
    expect(parseChatMessage(message({ type: "chat" }, body("")), NOW)).toBeNull();
    expect(parseChatMessage(xml("message", { type: "chat" }, body("x")), NOW)).toBeNull();
  });

  it("keeps markup as plain text", () => {
    const parsed = parseChatMessage(message({ type: "chat" }, body("<b>bold</b> & <script>")), NOW);
    expect(parsed?.body).toBe("<b>bold</b> & <script>");
  });

  it("prefers the body without xml:lang", () => {
    const parsed = parseChatMessage(
      message({ type: "chat" }, body("Hallo", "de"), body("Hello")),
      NOW,
    );
    expect(parsed?.body).toBe("Hello");
  });

  it("uses the XEP-0203 delay stamp as the time", () => {
    const delay = xml("delay", {
      xmlns: "urn:xmpp:delay",
      from: "example.org",
      stamp: "2024-12-31T23:59:58Z",
    });
    expect(parseChatMessage(message({ type: "chat" }, body("late"), delay), NOW)).toMatchObject({
      timestamp: Date.UTC(2024, 11, 31, 23, 59, 58),
      delayed: true,
    });
  });

  it("reads stamps with fractions and offsets, and ignores malformed ones", () => {
    const stamp = (value: string, xmlns = "urn:xmpp:delay") =>
      parseDelay(message({}, xml("delay", { xmlns, stamp: value })));
    expect(stamp("2024-06-01T10:00:00.250+02:00")).toBe(Date.UTC(2024, 5, 1, 8, 0, 0, 250));
    expect(stamp("yesterday")).toBeNull();
    expect(stamp("2024-06-01")).toBeNull();
    expect(stamp("2024-13-45T99:00:00Z")).toBeNull();
    expect(stamp("2024-06-01T10:00:00Z", "urn:example:other")).toBeNull();
  });
});

describe("buildChatMessage", () => {
  it("escapes the body", () => {
    expect(buildChatMessage("bob@example.org", "id-1", "1 < 2 & <b>").toString()).toBe(
      '<message type="chat" to="bob@example.org" id="id-1"><body>1 &lt; 2 &amp; &lt;b&gt;</body>' +
        '<origin-id xmlns="urn:xmpp:sid:0" id="id-1"/></message>',
    );
  });
});
