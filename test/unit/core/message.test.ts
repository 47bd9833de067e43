import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { Chat } from "../../../main/core/chat";
import type { ChatMessage } from "../../../preload/contract";
import { buildChatMessage, parseChatMessage, parseDelay } from "../../../main/core/stanzas/message";
import { fakeOutbox } from "./fake-outbox";

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
    });
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
      '<message type="chat" to="bob@example.org" id="id-1"><body>1 &lt; 2 &amp; &lt;b&gt;</body></message>',
    );
  });
});

describe("Chat", () => {
  function setup(maxPerPeer?: number) {
    const { outbox, sent } = fakeOutbox();
    const received: ChatMessage[] = [];
    let clock = NOW;
    const chat = new Chat({
      outbox: () => outbox,
      onMessage: (m) => received.push(m),
      now: () => clock++,
      maxPerPeer,
    });
    return { chat, sent, received };
  }

  it("sends with a fresh random id and records the message", async () => {
    const { chat, sent } = setup();
    const first = await chat.send("bob@example.org", "bob@example.org", "hello");
    const second = await chat.send("bob@example.org/phone", "bob@example.org", "again");
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.id).not.toBe(first.id);
    expect(sent[1]).toBe(
      `<message type="chat" to="bob@example.org/phone" id="${second.id}"><body>again</body></message>`,
    );
    expect(first).toMatchObject({ peer: "bob@example.org", direction: "out", delayed: false });
    expect(chat.history("bob@example.org", undefined, 10)).toEqual([first, second]);
  });

  it("records and reports incoming messages, and drops what is not chat", () => {
    const { chat, received } = setup();
    expect(chat.handleMessage(message({ type: "error" }, body("no")))).toBeNull();
    const incoming = chat.handleMessage(message({ type: "chat" }, body("yes")));
    expect(incoming).toMatchObject({
      id: "m1",
      peer: "bob@example.org",
      direction: "in",
      body: "yes",
    });
    expect(received).toEqual([incoming]);
  });

  it("gives a message without id one of its own", () => {
    const { chat } = setup();
    const stanza = xml("message", { from: "bob@example.org", type: "chat" }, body("x"));
    expect(chat.handleMessage(stanza)?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("pages history: newest last, strictly before, at most limit", () => {
    const { chat } = setup();
    for (let i = 0; i < 10; i++)
      chat.handleMessage(message({ type: "chat", id: `m${i}` }, body(`${i}`)));
    const all = chat.history("bob@example.org", undefined, 100);
    expect(all.map((m) => m.body)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(chat.history("bob@example.org", undefined, 3).map((m) => m.body)).toEqual([
      "7",
      "8",
      "9",
    ]);
    const before = all[5]!.timestamp;
    expect(chat.history("bob@example.org", before, 2).map((m) => m.body)).toEqual(["3", "4"]);
    expect(chat.history("nobody@example.org", undefined, 5)).toEqual([]);
  });

  it("keeps at most maxPerPeer messages per conversation, dropping the oldest", () => {
    const { chat } = setup(3);
    for (let i = 0; i < 5; i++) chat.handleMessage(message({ type: "chat" }, body(`${i}`)));
    expect(chat.history("bob@example.org", undefined, 10).map((m) => m.body)).toEqual([
      "2",
      "3",
      "4",
    ]);
  });
});
