import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { Chat } from "../../../../main/core/features/chat/chat";
import type { ConversationLimits } from "../../../../main/core/features/chat/conversation-store";
import { MemoryHistory } from "../../../../main/core/features/chat/memory-history";
import type { ChatHistory } from "../../../../main/core/features/chat/message-record";
import { ThisRunHistory } from "../../../../main/core/features/chat/this-run-history";
import type { ChatMessage } from "../../../../preload/contract";
import { fakeOutbox } from "../fake-outbox";
import { captureLog } from "../logger-double";

const NOW = Date.UTC(2025, 0, 2, 12, 0, 0);
const ACCOUNT = "alice@example.org";

function message(attrs: Record<string, string>, ...children: ReturnType<typeof xml>[]) {
  return xml("message", { from: "Bob@Example.org/phone", id: "m1", ...attrs }, ...children);
}
const body = (text: string) => xml("body", {}, text);
const fromStranger = (from: string, text: string) =>
  xml("message", { from, type: "chat" }, body(text));

function setup(
  options: { limits?: Partial<ConversationLimits>; trusts?: boolean; fixedTime?: boolean } = {},
) {
  const { outbox, sent } = fakeOutbox();
  const received: ChatMessage[] = [];
  let clock = NOW;
  const chat = new Chat({
    accountId: "acc",
    account: ACCOUNT,
    outbox: () => outbox,
    history: new MemoryHistory(options.limits),
    onMessage: (m) => received.push(m),
    trustsArchiveIds: () => options.trusts ?? false,
    log: captureLog().log,
    now: options.fixedTime ? () => NOW : () => clock++,
  });
  /** Hands the stanzas to the chat feature and waits until they were kept and shown. */
  const receive = async (...stanzas: ReturnType<typeof xml>[]) => {
    const taken = stanzas.map((stanza) => chat.message(stanza));
    await chat.settled();
    return taken;
  };
  const bodies = async (peer: string, before?: string, limit = 100) =>
    (await chat.history(peer, { before }, limit)).map((m) => m.body);
  return { chat, sent, received, receive, bodies };
}

describe("Chat", () => {
  it("sends with a fresh random id, as its origin-id too, asking for receipts and markers", async () => {
    const { chat, sent } = setup();
    const first = await chat.send("bob@example.org", "hello");
    const second = await chat.send("Bob@Example.org/phone", "again");
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.id).not.toBe(first.id);
    expect(sent.filter((stanza) => stanza.startsWith("<message"))[1]).toBe(
      `<message type="chat" to="bob@example.org/phone" id="${second.id}"><body>again</body>` +
        `<origin-id xmlns="urn:xmpp:sid:0" id="${second.id}"/>` +
        `<request xmlns="urn:xmpp:receipts"/><markable xmlns="urn:xmpp:chat-markers:0"/>` +
        `<active xmlns="http://jabber.org/protocol/chatstates"/></message>`,
    );
    expect(first).toMatchObject({
      peer: "bob@example.org",
      direction: "out",
      delayed: false,
      state: "sent",
    });
    const kept = await chat.history("bob@example.org", {}, 10);
    expect(kept.map((m) => [m.id, m.body])).toEqual([
      [first.id, "hello"],
      [second.id, "again"],
    ]);
  });

  it("refuses an address that is none, and a message too long or empty", async () => {
    const { chat, sent } = setup();
    await expect(chat.send("not an address", "hi")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(chat.send("bob@example.org", "")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(chat.send("bob@example.org", "x".repeat(100_001))).rejects.toMatchObject({
      code: "invalid-argument",
    });
    expect(sent).toEqual([]);
  });

  it("keeps and reports incoming messages under an id of Wren's own, and leaves the rest", async () => {
    const { received, receive } = setup();
    expect(await receive(message({ type: "error" }, body("no")))).toEqual([false]);
    expect(await receive(xml("message", { from: "bob@example.org", type: "headline" }))).toEqual([
      false,
    ]);
    expect(await receive(message({ type: "chat" }, body("yes")))).toEqual([true]);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ peer: "bob@example.org", direction: "in", body: "yes" });
    expect(received[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("drops a repeat: same sender, same stanza id, same text", async () => {
    const { received, receive } = setup();
    await receive(
      message({ type: "chat", id: "again" }, body("once")),
      message({ type: "chat", id: "again" }, body("once")),
    );
    expect(received.map((m) => m.body)).toEqual(["once"]);
  });

  it("keeps different messages from a peer that reuses one id", async () => {
    const { received, receive, bodies } = setup();
    await receive(
      ...["first", "second", "third"].map((text) =>
        message({ type: "chat", id: "same" }, body(text)),
      ),
    );
    expect(received.map((m) => m.body)).toEqual(["first", "second", "third"]);
    expect(new Set(received.map((m) => m.id)).size).toBe(3);
    expect(await bodies("bob@example.org")).toEqual(["first", "second", "third"]);
  });

  it("drops a repeat by origin-id, even under another stanza id", async () => {
    const { received, receive } = setup();
    const origin = xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "o-1" });
    await receive(
      message({ type: "chat", id: "a" }, body("hi"), origin),
      message({ type: "chat", id: "b" }, body("hi"), origin),
    );
    expect(received).toHaveLength(1);
  });

  it("trusts the archive's stanza-id only from our own account, and only when the server offers it", async () => {
    const stanzaId = (by: string) => xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "s-1", by });
    // Same archive id, different stanza ids and texts: the same message only if the id is trusted.
    const twice = (by: string) => [
      message({ type: "chat", id: "x" }, body("one"), stanzaId(by)),
      message({ type: "chat", id: "y" }, body("two"), stanzaId(by)),
    ];
    const trusting = setup({ trusts: true });
    await trusting.receive(...twice(ACCOUNT));
    expect(trusting.received.map((m) => m.body)).toEqual(["one"]);

    const forged = setup({ trusts: true });
    await forged.receive(...twice("mallory@example.org"));
    expect(forged.received.map((m) => m.body)).toEqual(["one", "two"]);

    const unadvertised = setup({ trusts: false });
    await unadvertised.receive(...twice(ACCOUNT));
    expect(unadvertised.received.map((m) => m.body)).toEqual(["one", "two"]);
  });

  it("takes the same text without any id for a repeat only within a short window", async () => {
    const { received, receive } = setup({ fixedTime: true });
    const bare = () => xml("message", { from: "bob@example.org", type: "chat" }, body("ok"));
    await receive(bare(), bare());
    expect(received).toHaveLength(1);
    const later = () =>
      xml(
        "message",
        { from: "bob@example.org", type: "chat" },
        body("ok"),
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2025-01-02T13:00:00Z" }),
      );
    await receive(later());
    expect(received).toHaveLength(2);
  });

  it("pages history by message id: newest last, strictly before, at most limit", async () => {
    const { chat, receive, bodies } = setup();
    await receive(
      ...Array.from({ length: 10 }, (_, i) => message({ type: "chat", id: `m${i}` }, body(`${i}`))),
    );
    const all = await chat.history("bob@example.org", {}, 100);
    expect(all.map((m) => m.body)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(await bodies("bob@example.org", undefined, 3)).toEqual(["7", "8", "9"]);
    expect(await bodies("bob@example.org", all[5]!.id, 2)).toEqual(["3", "4"]);
    expect(await bodies("bob@example.org", all[0]!.id, 5)).toEqual([]);
    expect(await bodies("bob@example.org", "unknown", 5)).toEqual([]);
    expect(await bodies("nobody@example.org")).toEqual([]);
  });

  it("pages through messages that share one timestamp without skipping any", async () => {
    const { chat, receive } = setup({ fixedTime: true });
    await receive(
      ...Array.from({ length: 7 }, (_, i) => message({ type: "chat", id: `s${i}` }, body(`${i}`))),
    );
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await chat.history("bob@example.org", { before }, 2);
      if (page.length === 0) break;
      seen.unshift(...page.map((m) => m.body));
      before = page[0]!.id;
    }
    expect(seen).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("keeps at most maxPerConversation messages per conversation in memory, dropping the oldest", async () => {
    const { receive, bodies } = setup({ limits: { maxPerConversation: 3 } });
    await receive(
      ...Array.from({ length: 5 }, (_, i) => message({ type: "chat", id: `${i}` }, body(`${i}`))),
    );
    expect(await bodies("bob@example.org")).toEqual(["2", "3", "4"]);
  });

  it("bounds the number of conversations strangers can open in memory, least recent first", async () => {
    const { receive, bodies } = setup({ limits: { maxConversations: 3 } });
    await receive(
      ...Array.from({ length: 10 }, (_, i) => fromStranger(`s${i}@spam.example`, "hi")),
    );
    for (let i = 0; i < 7; i++) expect(await bodies(`s${i}@spam.example`)).toEqual([]);
    for (let i = 7; i < 10; i++) expect(await bodies(`s${i}@spam.example`)).toHaveLength(1);
  });

  it("bounds the text kept in memory, dropping the oldest conversations first", async () => {
    const { receive, bodies } = setup({ limits: { maxCharacters: 1_000 } });
    await receive(fromStranger("old@example.org", "x".repeat(600)));
    await receive(fromStranger("new@example.org", "y".repeat(600)));
    expect(await bodies("old@example.org")).toEqual([]);
    expect(await bodies("new@example.org")).toHaveLength(1);
    // One conversation alone over the bound keeps its newest message.
    await receive(
      ...Array.from({ length: 5 }, (_, i) => fromStranger("new@example.org", `${i}`.repeat(400))),
    );
    const kept = await bodies("new@example.org");
    expect(kept.reduce((sum, text) => sum + text.length, 0)).toBeLessThanOrEqual(1_000);
    expect(kept.at(-1)).toBe("4".repeat(400));
  });

  it("deletes one conversation's history, after what is still arriving, and nothing else", async () => {
    const { chat, bodies } = setup();
    chat.message(message({ type: "chat", id: "1" }, body("one")));
    chat.message(fromStranger("carol@example.org", "stays"));
    chat.message(message({ type: "chat", id: "2" }, body("two")));
    expect(await chat.deleteHistory("bob@example.org")).toBe(2);
    expect(await bodies("bob@example.org")).toEqual([]);
    expect(await bodies("carol@example.org")).toEqual(["stays"]);
  });

  it("switches to another history after what is still arriving, which stays where it went", async () => {
    const { chat, bodies } = setup();
    const first = new MemoryHistory();
    const second = new MemoryHistory();
    await chat.useHistory(first);
    chat.message(message({ type: "chat", id: "1" }, body("before")));
    const switched = chat.useHistory(second);
    chat.message(message({ type: "chat", id: "2" }, body("after")));
    await switched;
    await chat.settled();
    const page = { accountId: "acc", conversation: "bob@example.org", limit: 10 };
    expect((await first.page(page)).map((m) => m.body)).toEqual(["before"]);
    expect((await second.page(page)).map((m) => m.body)).toEqual(["after"]);
    expect(await bodies("bob@example.org")).toEqual(["after"]);
  });
});

describe("ThisRunHistory", () => {
  const record = (id: string, body: string) => ({
    id,
    accountId: "acc",
    conversation: "bob@example.org",
    kind: "chat" as const,
    direction: "in" as const,
    sender: "bob@example.org",
    body,
    sentAt: null,
    receivedAt: 1,
    serverAt: null,
    timestamp: 1,
    stanzaId: null,
    originId: null,
    archiveId: null,
    archiveBy: null,
    state: "received" as const,
    correctsId: null,
    editedAt: null,
    attachment: null,
  });
  const page = { accountId: "acc", conversation: "bob@example.org", limit: 10 };

  it("keeps new messages in memory only, and deletes a conversation in both", async () => {
    const stored = new MemoryHistory();
    await stored.add(record("s1", "stored"));
    const history = new ThisRunHistory(stored);
    await history.add(record("m1", "this run"));

    expect((await history.page(page)).map((m) => m.body)).toEqual(["this run"]);
    expect((await stored.page(page)).map((m) => m.body)).toEqual(["stored"]);
    expect(await history.deleteConversation("acc", "bob@example.org")).toBe(2);
    expect(await stored.page(page)).toEqual([]);
    expect(await history.page(page)).toEqual([]);
  });

  it("still shows and sends messages when the history fails, and logs it", async () => {
    const { outbox } = fakeOutbox();
    const received: ChatMessage[] = [];
    const { log, lines } = captureLog();
    const broken = new Error("disk I/O error");
    const chat = new Chat({
      accountId: "acc",
      account: ACCOUNT,
      outbox: () => outbox,
      history: brokenHistory(broken),
      onMessage: (m) => received.push(m),
      log,
    });
    chat.message(message({ type: "chat" }, body("still here")));
    await chat.settled();
    expect(received.map((m) => m.body)).toEqual(["still here"]);
    expect((await chat.send("bob@example.org", "sent anyway")).body).toBe("sent anyway");
    expect(lines.map((line) => line.message)).toEqual([
      "could not keep an incoming message",
      "could not keep a sent message",
      "could not record a message's delivery",
      "could not record a message's delivery",
    ]);
    await expect(chat.history("bob@example.org", {}, 10)).rejects.toBe(broken);
  });

  it("says so when a message written offline cannot be kept to send later", async () => {
    const chat = new Chat({
      accountId: "acc",
      account: ACCOUNT,
      outbox: () => null,
      history: brokenHistory(new Error("disk full")),
      onMessage: () => {},
      log: captureLog().log,
    });
    await expect(chat.send("bob@example.org", "lost?")).rejects.toMatchObject({
      code: "internal",
      message: expect.stringContaining("could not keep this message"),
    });
  });
});

/** A history whose every call fails, as a damaged database's would. */
function brokenHistory(error: Error): ChatHistory {
  return new Proxy({} as ChatHistory, {
    get: (_, name) => (name === "addUnlessDuplicate" ? undefined : () => Promise.reject(error)),
  });
}
