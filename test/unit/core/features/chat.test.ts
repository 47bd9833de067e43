import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { Chat } from "../../../../main/core/features/chat/chat";
import type { ConversationLimits } from "../../../../main/core/features/chat/conversation-store";
import type { ChatMessage } from "../../../../preload/contract";
import { fakeOutbox } from "../fake-outbox";

const NOW = Date.UTC(2025, 0, 2, 12, 0, 0);

function message(attrs: Record<string, string>, ...children: ReturnType<typeof xml>[]) {
  return xml("message", { from: "Bob@Example.org/phone", id: "m1", ...attrs }, ...children);
}
const body = (text: string) => xml("body", {}, text);

function setup(limits?: Partial<ConversationLimits>) {
  const { outbox, sent } = fakeOutbox();
  const received: ChatMessage[] = [];
  let clock = NOW;
  const chat = new Chat({
    outbox: () => outbox,
    onMessage: (m) => received.push(m),
    now: () => clock++,
    limits,
  });
  return { chat, sent, received };
}

describe("Chat", () => {
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

  it("records and reports incoming messages under an id of Wren's own", () => {
    const { chat, received } = setup();
    expect(chat.handleMessage(message({ type: "error" }, body("no")))).toBeNull();
    const incoming = chat.handleMessage(message({ type: "chat" }, body("yes")));
    expect(incoming).toMatchObject({ peer: "bob@example.org", direction: "in", body: "yes" });
    expect(incoming?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toEqual([incoming]);
    expect(chat.message(message({ type: "chat", id: "m2" }, body("routed")))).toBe(true);
    expect(chat.message(xml("message", { from: "bob@example.org", type: "headline" }))).toBe(false);
  });

  it("drops a repeat: same sender, same stanza id, same text", () => {
    const { chat, received } = setup();
    chat.handleMessage(message({ type: "chat", id: "again" }, body("once")));
    expect(chat.handleMessage(message({ type: "chat", id: "again" }, body("once")))).toBeNull();
    expect(received.map((m) => m.body)).toEqual(["once"]);
  });

  it("keeps different messages from a peer that reuses one id", () => {
    const { chat, received } = setup();
    for (const text of ["first", "second", "third"]) {
      chat.handleMessage(message({ type: "chat", id: "same" }, body(text)));
    }
    expect(received.map((m) => m.body)).toEqual(["first", "second", "third"]);
    expect(new Set(received.map((m) => m.id)).size).toBe(3);
    expect(chat.history("bob@example.org", undefined, 10).map((m) => m.body)).toEqual([
      "first",
      "second",
      "third",
    ]);
  });

  it("never takes the same text without an id for a repeat", () => {
    const { chat, received } = setup();
    const stanza = () => xml("message", { from: "bob@example.org", type: "chat" }, body("ok"));
    chat.handleMessage(stanza());
    chat.handleMessage(stanza());
    expect(received).toHaveLength(2);
  });

  it("pages history by message id: newest last, strictly before, at most limit", () => {
    const { chat } = setup();
    for (let i = 0; i < 10; i++) {
      chat.handleMessage(message({ type: "chat", id: `m${i}` }, body(`${i}`)));
    }
    const all = chat.history("bob@example.org", undefined, 100);
    expect(all.map((m) => m.body)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(chat.history("bob@example.org", undefined, 3).map((m) => m.body)).toEqual([
      "7",
      "8",
      "9",
    ]);
    expect(chat.history("bob@example.org", all[5]!.id, 2).map((m) => m.body)).toEqual(["3", "4"]);
    expect(chat.history("bob@example.org", all[0]!.id, 5)).toEqual([]);
    expect(chat.history("bob@example.org", "unknown", 5)).toEqual([]);
    expect(chat.history("nobody@example.org", undefined, 5)).toEqual([]);
  });

  it("pages through messages that share one timestamp without skipping any", () => {
    const { outbox } = fakeOutbox();
    const chat = new Chat({ outbox: () => outbox, onMessage: () => {}, now: () => NOW });
    for (let i = 0; i < 7; i++) {
      chat.handleMessage(message({ type: "chat", id: `s${i}` }, body(`${i}`)));
    }
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = chat.history("bob@example.org", before, 2);
      if (page.length === 0) break;
      seen.unshift(...page.map((m) => m.body));
      before = page[0]!.id;
    }
    expect(seen).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("keeps at most maxPerConversation messages per conversation, dropping the oldest", () => {
    const { chat } = setup({ maxPerConversation: 3 });
    for (let i = 0; i < 5; i++)
      chat.handleMessage(message({ type: "chat", id: `${i}` }, body(`${i}`)));
    expect(chat.history("bob@example.org", undefined, 10).map((m) => m.body)).toEqual([
      "2",
      "3",
      "4",
    ]);
  });

  it("bounds the number of conversations strangers can open, least recent first", () => {
    const { chat } = setup({ maxConversations: 3 });
    for (let i = 0; i < 10; i++) {
      chat.handleMessage(xml("message", { from: `s${i}@spam.example`, type: "chat" }, body("hi")));
    }
    for (let i = 0; i < 7; i++)
      expect(chat.history(`s${i}@spam.example`, undefined, 5)).toEqual([]);
    for (let i = 7; i < 10; i++) {
      expect(chat.history(`s${i}@spam.example`, undefined, 5)).toHaveLength(1);
    }
  });

  it("bounds the text kept in all, dropping the oldest conversations first", () => {
    const { chat } = setup({ maxCharacters: 1_000 });
    chat.handleMessage(
      xml("message", { from: "old@example.org", type: "chat" }, body("x".repeat(600))),
    );
    chat.handleMessage(
      xml("message", { from: "new@example.org", type: "chat" }, body("y".repeat(600))),
    );
    expect(chat.history("old@example.org", undefined, 5)).toEqual([]);
    expect(chat.history("new@example.org", undefined, 5)).toHaveLength(1);
    // One conversation alone over the bound keeps its newest message.
    for (let i = 0; i < 5; i++) {
      chat.handleMessage(
        xml("message", { from: "new@example.org", type: "chat" }, body(`${i}`.repeat(400))),
      );
    }
    const kept = chat.history("new@example.org", undefined, 10);
    expect(kept.reduce((sum, m) => sum + m.body.length, 0)).toBeLessThanOrEqual(1_000);
    expect(kept.at(-1)?.body).toBe("4".repeat(400));
  });
});
