import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ChatMessage } from "../../preload/contract";
import type { XmppSession } from "../../main/core/session-api";
import { collect, eventually, nextEvent, sessionFor, sessionPool } from "./helpers";
import { rawClient } from "./raw-client";
import { registerAccount, type TestAccount } from "./setup/accounts";

const server = inject("xmpp");
const pool = sessionPool();

describe("one-to-one chat", () => {
  let alice: TestAccount;
  let bob: TestAccount;
  let a: XmppSession;
  let b: XmppSession;

  beforeAll(async () => {
    alice = await registerAccount(server.configPath);
    bob = await registerAccount(server.configPath);
    a = await pool.signIn(alice, { resource: "desk" });
    b = await pool.signIn(bob);
  });
  afterAll(() => pool.stopAll());

  it("delivers messages both ways, in order, between people who are not contacts", async () => {
    const atBob = collect(b);
    const atAlice = collect(a);
    // Each side's last message is a marker: once it has come, so has every copy of those before it.
    const outgoing = ["one", "two", "three", "four", "<b>five</b> & more", "over"];

    const sent: ChatMessage[] = [];
    for (const body of outgoing) sent.push(await a.sendMessage(bob.jid, body));
    await eventually(() => atBob.some((m) => m.body === "over"), "Alice's last message");

    expect(b.rosterItems()).toEqual([]); // Alice is an unknown sender to Bob
    expect(atBob.map((m) => m.body)).toEqual(outgoing);
    expect(atBob.every((m) => m.peer === alice.jid && m.direction === "in" && !m.delayed)).toBe(
      true,
    );
    // Each side names messages by an id of its own; none is reused.
    expect(new Set(sent.map((m) => m.id)).size).toBe(outgoing.length);
    expect(new Set(atBob.map((m) => m.id)).size).toBe(outgoing.length);

    const replies = ["six", "seven", "eight", "over and out"];
    for (const body of replies) await b.sendMessage(alice.jid, body);
    await eventually(() => atAlice.some((m) => m.body === "over and out"), "Bob's last reply");
    expect(atAlice.map((m) => m.body)).toEqual(replies);

    const history = await a.history(bob.jid, {}, 100);
    expect(history.map((m) => [m.direction, m.body])).toEqual([
      ...outgoing.map((body) => ["out", body]),
      ...replies.map((body) => ["in", body]),
    ]);
    expect((await a.history(bob.jid, {}, 2)).map((m) => m.body)).toEqual(replies.slice(-2));
    expect((await b.history(alice.jid, {}, 100)).map((m) => m.body)).toEqual([
      ...outgoing,
      ...replies,
    ]);
  });

  it("shows what a raw stranger sends, but not errors or bodiless messages, and ignores forged roster pushes", async () => {
    const mallory = await registerAccount(server.configPath);
    const raw = await rawClient(mallory);
    const atAlice = collect(a);
    try {
      await raw.send(
        xml("message", { to: `${alice.jid}/desk`, type: "error" }, xml("body", {}, "error body")),
      );
      await raw.send(
        xml(
          "message",
          { to: alice.jid, type: "chat" },
          xml("active", { xmlns: "http://jabber.org/protocol/chatstates" }),
        ),
      );
      await raw.send(
        xml("message", { to: alice.jid, type: "groupchat" }, xml("body", {}, "not a 1:1")),
      );
      // A forged roster push, aimed at Alice's full JID: it must be refused and change nothing.
      const answer = await raw.iqCaller
        .request(
          xml(
            "iq",
            { type: "set", to: `${alice.jid}/desk` },
            xml(
              "query",
              { xmlns: "jabber:iq:roster" },
              xml("item", { jid: mallory.jid, subscription: "both", name: "Trusted friend" }),
            ),
          ),
        )
        .then(
          () => "result",
          (error: { condition?: string }) => error.condition ?? "error",
        );
      expect(answer).toBe("service-unavailable");
      expect(a.rosterItems().some((item) => item.jid === mallory.jid)).toBe(false);

      // No type at all means "normal": shown like a chat message.
      await raw.send(xml("message", { to: alice.jid }, xml("body", {}, "hello from a stranger")));
      await eventually(() => atAlice.length > 0, "the stranger's message");
      expect(atAlice).toEqual([
        expect.objectContaining({
          peer: mallory.jid,
          direction: "in",
          body: "hello from a stranger",
          delayed: false,
        }),
      ]);
    } finally {
      await raw.stop().catch(() => {});
    }
  });

  it("delivers offline messages with the server's delay stamp as their time", async () => {
    const carol = await registerAccount(server.configPath);
    const sentAt = Date.now();
    await a.sendMessage(carol.jid, "while you were away");
    // Let local time move well past the stamp, so a fallback to receive time would show.
    await new Promise((done) => setTimeout(done, 1_200));

    const c = pool.track(sessionFor(carol));
    const received = nextEvent(c, "message", (message) => message.body === "while you were away");
    await c.start();
    const [message] = await received;

    expect(message.delayed).toBe(true);
    expect(message.peer).toBe(alice.jid);
    // The stamp has whole seconds, so it may read up to a second before sentAt.
    expect(message.timestamp).toBeGreaterThan(sentAt - 2_000);
    expect(message.timestamp).toBeLessThan(sentAt + 1_000);
  });
});
