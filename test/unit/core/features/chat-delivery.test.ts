import { xml, type Element } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { Chat } from "../../../../main/core/features/chat/chat";
import { MemoryHistory } from "../../../../main/core/features/chat/memory-history";
import type { Outbox } from "../../../../main/core/outbox";
import type { ChatMessage, ChatState, MessageChange } from "../../../../preload/contract";
import { fakeOutbox } from "../fake-outbox";
import { captureLog } from "../logger-double";

// What travels with a chat message: the outbox that keeps what the person wrote until the server
// has it, receipts (XEP-0184), displayed markers (XEP-0333), chat states (XEP-0085) and
// corrections (XEP-0308) — and whom each is believed from.

const ACCOUNT = "alice@example.org";
const BOB = "bob@example.org";
const NS_RECEIPTS = "urn:xmpp:receipts";
const NS_MARKERS = "urn:xmpp:chat-markers:0";

function setup(options: { online?: boolean; catchingUp?: () => boolean; outbox?: Outbox } = {}) {
  const fake = fakeOutbox();
  let outbox: Outbox | null = options.online === false ? null : (options.outbox ?? fake.outbox);
  const history = new MemoryHistory();
  const messages: ChatMessage[] = [];
  const changes: MessageChange[] = [];
  const states: [string, ChatState][] = [];
  const reads: string[] = [];
  let clock = Date.UTC(2025, 0, 2, 12);
  const chat = new Chat({
    accountId: "acc",
    account: ACCOUNT,
    outbox: () => outbox,
    history,
    onMessage: (m) => messages.push(m),
    onChanges: (c) => changes.push(...c),
    onChatState: (peer, state) => states.push([peer, state]),
    onRead: (peer) => reads.push(peer),
    catchingUp: options.catchingUp,
    log: captureLog().log,
    now: () => clock++,
  });
  return {
    chat,
    history,
    outbox: fake.outbox,
    sent: fake.sent,
    messages,
    changes,
    states,
    reads,
    goOnline(next: Outbox = fake.outbox) {
      outbox = next;
    },
    /** Waits until what the feature started (storing, answering) is done. */
    async settle() {
      for (let i = 0; i < 5; i++) {
        await chat.settled();
        await new Promise((done) => setImmediate(done));
      }
    },
  };
}

const fromBob = (attrs: Record<string, string>, ...children: Element[]) =>
  xml("message", { from: `${BOB}/phone`, to: ACCOUNT, type: "chat", ...attrs }, ...children);
const body = (text: string) => xml("body", {}, text);
const receipt = (id: string) => xml("received", { xmlns: NS_RECEIPTS, id });
const displayed = (id: string) => xml("displayed", { xmlns: NS_MARKERS, id });
const statesOf = (changes: MessageChange[], id: string) =>
  changes.filter((c) => c.id === id).map((c) => c.state);

describe("the outbox", () => {
  it("keeps a message written offline as queued, and sends it with the same id once online", async () => {
    const t = setup({ online: false });
    const queued = await t.chat.send(BOB, "written offline");
    expect(queued.state).toBe("queued");
    expect(t.sent).toEqual([]);

    t.goOnline();
    await t.chat.online({ resumed: false }, t.outbox);
    await t.settle();
    const again = t.sent.find((s) => s.includes("written offline"));
    expect(again).toContain(`id="${queued.id}"`);
    expect(again).toContain(`<origin-id xmlns="urn:xmpp:sid:0" id="${queued.id}"/>`);
    // It says when it was written.
    expect(again).toContain(
      `<delay xmlns="urn:xmpp:delay" stamp="${new Date(queued.timestamp).toISOString()}"`,
    );
    expect(statesOf(t.changes, queued.id)).toEqual(["sent", "acked"]);
  });

  it("sends again what the server never acknowledged after a new session, but not after a resumed one", async () => {
    const t = setup();
    const { outbox: smOutbox, sent } = fakeOutbox();
    const acknowledging: Outbox = { ...smOutbox, acknowledges: true };
    t.goOnline(acknowledging);
    const message = await t.chat.send(BOB, "are you there?");
    expect(message.state).toBe("sent");

    await t.chat.online({ resumed: true }, acknowledging);
    await t.settle();
    expect(sent.filter((s) => s.includes("are you there?"))).toHaveLength(1);

    // A new session is a new connection, with an outbox of its own.
    const next: Outbox = { ...acknowledging };
    t.goOnline(next);
    await t.chat.online({ resumed: false }, next);
    await t.settle();
    expect(sent.filter((s) => s.includes("are you there?"))).toHaveLength(2);

    // Acknowledged (XEP-0198): not again.
    t.chat.acknowledged(xml("message", { id: message.id }, body("are you there?")));
    await t.settle();
    const third: Outbox = { ...acknowledging };
    await t.chat.online({ resumed: false }, third);
    await t.settle();
    expect(sent.filter((s) => s.includes("are you there?"))).toHaveLength(2);
    expect(statesOf(t.changes, message.id)).toEqual(["sent", "acked"]);
  });

  it("after a resumed stream, sends what was only queued; meanwhile the new connection takes what is written", async () => {
    const t = setup({ online: false });
    const queued = await t.chat.send(BOB, "written while the link was down");
    const { outbox, sent } = fakeOutbox();
    const resumed: Outbox = { ...outbox, acknowledges: true };
    // The stream is back, but the session is still finishing its sign-in: its outbox is null.
    await t.chat.online({ resumed: true }, resumed);
    await t.settle();
    const during = await t.chat.send(BOB, "written during the sign-in");
    await t.settle();
    expect(
      sent.filter((s) => s.startsWith("<message")).map((s) => /<body>(.*?)</.exec(s)?.[1]),
    ).toEqual(["written while the link was down", "written during the sign-in"]);
    expect(statesOf(t.changes, queued.id)).toEqual(["sent"]);
    expect(during.state).toBe("sent");
  });

  it("without stream management, counts a message as on the server once a later ping is answered", async () => {
    let answer: Element | Error = new Error("timeout");
    const { outbox } = fakeOutbox(() => answer);
    const t = setup({ outbox });
    const lost = await t.chat.send(BOB, "no answer");
    await t.settle();
    expect(statesOf(t.changes, lost.id)).toEqual(["sent"]);

    answer = xml("iq", { type: "result" });
    const confirmed = await t.chat.send(BOB, "answered");
    await t.settle();
    expect(statesOf(t.changes, confirmed.id)).toEqual(["sent", "acked"]);
  });
});

describe("receipts and markers", () => {
  it("answers a receipt request of a live message, to the sender's device, under its id", async () => {
    const t = setup();
    t.chat.message(fromBob({ id: "b1" }, body("hi"), xml("request", { xmlns: NS_RECEIPTS })));
    t.chat.message(fromBob({ id: "b2" }, body("no receipt asked")));
    await t.settle();
    expect(t.sent.filter((s) => s.includes(NS_RECEIPTS))).toEqual([
      `<message to="${BOB}/phone" type="chat" id="r-b1"><received xmlns="${NS_RECEIPTS}" id="b1"/></message>`,
    ]);
  });

  it("holds receipts back during a catch-up, and skips those another device already sent", async () => {
    let catchingUp = true;
    const t = setup({ catchingUp: () => catchingUp });
    const request = xml("request", { xmlns: NS_RECEIPTS });
    t.chat.message(fromBob({ id: "b1" }, body("one"), request));
    t.chat.message(fromBob({ id: "b2" }, body("two"), request));
    // The person's phone answered b2 already.
    t.chat.receiveCarbon(
      xml("message", { from: `${ACCOUNT}/phone`, to: `${BOB}/phone`, type: "chat" }, receipt("b2")),
      "out",
    );
    await t.settle();
    expect(t.sent.filter((s) => s.includes(NS_RECEIPTS))).toEqual([]);
    catchingUp = false;
    t.chat.catchUpDone();
    expect(t.sent.filter((s) => s.includes(NS_RECEIPTS))).toEqual([
      expect.stringContaining(`id="b1"`),
    ]);
  });

  it("moves our message to delivered and displayed on the peer's word, never backwards", async () => {
    const t = setup();
    const mine = await t.chat.send(BOB, "hello");
    await t.settle();
    t.chat.message(fromBob({}, displayed(mine.id)));
    await t.settle();
    t.chat.message(fromBob({}, receipt(mine.id)));
    t.chat.acknowledged(xml("message", { id: mine.id }, body("hello")));
    await t.settle();
    expect(statesOf(t.changes, mine.id)).toEqual(["sent", "acked", "displayed"]);
    expect((await t.chat.history(BOB, {}, 10))[0]?.state).toBe("displayed");
  });

  it("believes a receipt only from the conversation the message went to", async () => {
    const t = setup();
    const mine = await t.chat.send(BOB, "for Bob only");
    await t.settle();
    t.chat.message(
      xml("message", { from: "mallory@example.org/x", type: "chat" }, receipt(mine.id)),
    );
    await t.settle();
    expect(statesOf(t.changes, mine.id)).toEqual(["sent", "acked"]);
  });

  it("sends a displayed marker when the person read a conversation that asked for one", async () => {
    const t = setup();
    t.chat.message(
      fromBob(
        { id: "b1" },
        body("read me"),
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "o-1" }),
        xml("markable", { xmlns: NS_MARKERS }),
      ),
    );
    await t.settle();
    await t.chat.markRead(BOB, t.messages[0]!.id);
    expect(t.sent.filter((s) => s.includes(NS_MARKERS))).toEqual([
      expect.stringContaining(`<displayed xmlns="${NS_MARKERS}" id="o-1"/>`),
    ]);
    // Read again: nothing new to mark.
    await t.chat.markRead(BOB, t.messages[0]!.id);
    expect(t.sent.filter((s) => s.includes(NS_MARKERS))).toHaveLength(1);
    expect((await t.history.conversations("acc", 10))[0]?.unread).toBe(0);
  });

  it("takes the person's displayed marker from another device as read here", async () => {
    const t = setup();
    t.chat.message(fromBob({ id: "b1" }, body("seen on the phone")));
    await t.settle();
    expect((await t.history.conversations("acc", 10))[0]?.unread).toBe(1);
    t.chat.receiveCarbon(
      xml("message", { from: `${ACCOUNT}/phone`, to: BOB, type: "chat" }, displayed("b1")),
      "out",
    );
    await t.settle();
    expect(t.reads).toEqual([BOB]);
    expect((await t.history.conversations("acc", 10))[0]?.unread).toBe(0);
  });
});

describe("corrections and chat states", () => {
  it("applies a correction from the message's own sender, and shows one naming ours as new", async () => {
    const t = setup();
    const mine = await t.chat.send(BOB, "mine");
    t.chat.message(fromBob({ id: "b1" }, body("helo")));
    await t.settle();
    t.chat.message(
      fromBob(
        { id: "b2" },
        body("hello"),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "b1" }),
      ),
    );
    t.chat.message(
      fromBob(
        { id: "b3" },
        body("you wrote nonsense"),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: mine.id }),
      ),
    );
    await t.settle();
    const kept = await t.chat.history(BOB, {}, 10);
    expect(kept.map((m) => [m.direction, m.body, m.editedAt !== undefined])).toEqual([
      ["out", "mine", false],
      ["in", "hello", true],
      ["in", "you wrote nonsense", false],
    ]);
    expect(t.changes.filter((c) => c.body)).toEqual([
      expect.objectContaining({ id: kept[1]!.id, body: "hello" }),
    ]);
  });

  it("corrects the person's own message, and refuses to correct anyone else's", async () => {
    const t = setup();
    const mine = await t.chat.send(BOB, "teh");
    const corrected = await t.chat.correct(BOB, mine.id, "the");
    expect(corrected).toMatchObject({ id: mine.id, body: "the", editedAt: expect.any(Number) });
    expect(t.sent.at(-1)).toContain(
      `<replace xmlns="urn:xmpp:message-correct:0" id="${mine.id}"/>`,
    );
    t.chat.message(fromBob({ id: "b1" }, body("theirs")));
    await t.settle();
    await expect(t.chat.correct(BOB, t.messages[0]!.id, "mine now")).rejects.toMatchObject({
      code: "invalid-argument",
    });
  });

  it("reports the peer's chat states, and sends ours only to peers who use them, online", async () => {
    const t = setup();
    await t.chat.sendChatState(BOB, "composing");
    expect(t.sent).toEqual([]);
    t.chat.message(
      fromBob({}, xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" })),
    );
    expect(t.states).toEqual([[BOB, "composing"]]);
    await t.chat.sendChatState(BOB, "composing");
    expect(t.sent).toEqual([
      `<message to="${BOB}" type="chat"><composing xmlns="http://jabber.org/protocol/chatstates"/><no-store xmlns="urn:xmpp:hints"/></message>`,
    ]);
  });
});
