import { EventEmitter } from "node:events";
import { jid, xml, type Client, type Element } from "@xmpp/client";
import createMiddleware from "@xmpp/middleware";
import { describe, expect, it } from "vitest";
import { AccountState } from "../../../../main/core/account-state";
import { NS_DISCO_INFO } from "../../../../main/core/features/disco";
import { StanzaGate } from "../../../../main/core/router";
import { NS_CARBONS } from "../../../../main/core/stanzas/carbons";
import type { ChatMessage } from "../../../../preload/contract";
import { fakeOutbox } from "../fake-outbox";
import { captureLog, infoResult, stanza, tick } from "./disco/helpers";

const ACCOUNT = "romeo@montague.example";
const JULIET = "juliet@capulet.example";

/** The server's disco#info: offering carbons, or not. */
const serverInfo = (carbons: boolean) =>
  infoResult(
    "montague.example",
    "<identity category='server' type='im'/>" +
      (carbons ? `<feature var='${NS_CARBONS}'/>` : "") +
      "<feature var='urn:xmpp:ping'/>",
  );

const okay = () => xml("iq", { type: "result" });

/**
 * One account's real state and router, on the real xmpp.js middleware, with an outbox that answers
 * disco#info as `carbons` says and the carbons request with `enable()`.
 */
function setup(options: { carbons?: boolean; enable?: () => Element | Error } = {}) {
  const { log, lines } = captureLog();
  let clock = Date.UTC(2025, 0, 2, 12, 0, 0);
  const state = new AccountState({ jid: ACCOUNT, log, now: () => clock++ });
  const { outbox, sent } = fakeOutbox((iq) => {
    if (iq.getChild("query", NS_DISCO_INFO)) return serverInfo(options.carbons ?? true);
    if (iq.getChild("enable", NS_CARBONS)) return (options.enable ?? okay)();
    // An empty archive: the catch-up and scrolling back find nothing.
    if (iq.getChild("query", "urn:xmpp:mam:2")) {
      return xml(
        "iq",
        { type: "result" },
        xml("fin", { xmlns: "urn:xmpp:mam:2", complete: "true" }),
      );
    }
    return xml("iq", { type: "result" });
  });
  state.useConnection(() => outbox, undefined);

  const entity = Object.assign(new EventEmitter(), { send: async () => {} });
  const middleware = createMiddleware({ entity: entity as unknown as Client });
  const gate = new StanzaGate();
  gate.hold();
  gate.open();
  state.router.attach({ middleware, send: entity.send, jid: jid(`${ACCOUNT}/orchard`) }, gate);

  const shown: ChatMessage[] = [];
  state.on("message", (message) => shown.push(message));
  /** Hands stanzas to the router, then waits until every message was kept and shown. */
  const receive = async (...stanzas: Element[]) => {
    for (const each of stanzas) entity.emit("element", each);
    await tick();
    await state.chat.settled();
  };
  const warnings = () => lines.filter((line) => line.level === "warn").map((line) => line.message);
  const online = (resumed: boolean) => state.router.online({ resumed }, outbox);
  /** What went out besides the archive's catch-up, which runs in the background. */
  const sentInLine = () => sent.filter((stanza) => !stanza.includes("urn:xmpp:mam:2"));
  return { state, sent, sentInLine, shown, receive, warnings, online };
}

/** A carbon copy as our server sends it (XEP-0280 §7, §8), from `from`. */
function carbon(kind: "received" | "sent", inner: string, from = ACCOUNT): Element {
  return stanza(
    `<message from='${from}' to='${ACCOUNT}/orchard' type='chat'>` +
      `<${kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>${inner}` +
      `</forwarded></${kind}></message>`,
  );
}

/** Juliet's message to Romeo's other device. */
const fromJuliet = (body: string, originId = "o-1") =>
  `<message xmlns='jabber:client' from='${JULIET}/balcony' to='${ACCOUNT}/garden' type='chat' ` +
  `id='j-1'><body>${body}</body><origin-id xmlns='urn:xmpp:sid:0' id='${originId}'/></message>`;

/** Romeo's message to Juliet, written on his other device. */
const toJuliet = (body: string, from = `${ACCOUNT}/home`) =>
  `<message xmlns='jabber:client' to='${JULIET}/balcony' from='${from}' type='chat' ` +
  `id='r-1'><body>${body}</body><origin-id xmlns='urn:xmpp:sid:0' id='r-1'/></message>`;

const ENABLE = `<iq type="set"><enable xmlns="${NS_CARBONS}"/></iq>`;

describe("enabling carbons", () => {
  it("enables them on a new session when the server offers them, before initial presence", async () => {
    const { state, sentInLine, online } = setup();
    await online(false);
    expect(state.carbons.enabled).toBe(true);
    expect(sentInLine()).toEqual([
      expect.stringContaining("disco#info"),
      expect.stringContaining("disco#info"),
      ENABLE,
      expect.stringContaining("jabber:iq:roster"),
      expect.stringMatching(/^<presence/),
    ]);
  });

  it("does not ask a server that does not offer them", async () => {
    const { state, sent, online } = setup({ carbons: false });
    await online(false);
    expect(sent).not.toContain(ENABLE);
    expect(state.carbons.enabled).toBe(false);
  });

  it("does not ask again on a resumed stream (the server kept them), but on every new session", async () => {
    const { state, sent, online } = setup();
    await online(false);
    await online(true);
    expect(sent.filter((stanza) => stanza === ENABLE)).toHaveLength(1);
    expect(state.carbons.enabled).toBe(true);
    state.router.offline();
    expect(state.carbons.enabled).toBe(false);
    await online(false);
    expect(sent.filter((stanza) => stanza === ENABLE)).toHaveLength(2);
  });

  it("logs a refusal, and signing in goes on", async () => {
    const { state, sentInLine, online, warnings } = setup({
      enable: () => new Error("forbidden"),
    });
    await expect(online(false)).resolves.toBeUndefined();
    expect(state.carbons.enabled).toBe(false);
    expect(sentInLine().at(-1)).toMatch(/^<presence/);
    expect(warnings()).toEqual(["could not enable message carbons"]);
  });

  it("is not a feature Wren advertises: contacts have nothing to ask of it", () => {
    const { state } = setup();
    expect(state.router.discoFeatures()).not.toContain(NS_CARBONS);
  });
});

describe("receiving carbons", () => {
  it("shows a received copy as a message from its own sender", async () => {
    const { state, shown, receive } = setup();
    await receive(
      carbon("received", fromJuliet("By whose direction found'st thou out this place?")),
    );
    expect(shown).toEqual([
      expect.objectContaining({
        peer: JULIET,
        direction: "in",
        body: "By whose direction found'st thou out this place?",
      }),
    ]);
    expect(await state.chat.history(JULIET, {}, 10)).toEqual(shown);
  });

  it("records a sent copy as our own message in the conversation it went to, and shows it", async () => {
    const { state, shown, receive } = setup();
    await receive(carbon("sent", toJuliet("By love, that first did prompt me to inquire")));
    expect(shown).toEqual([
      expect.objectContaining({
        peer: JULIET,
        direction: "out",
        body: "By love, that first did prompt me to inquire",
        delayed: false,
      }),
    ]);
    expect(await state.chat.history(JULIET, {}, 10)).toEqual(shown);
    expect(await state.chat.history(ACCOUNT, {}, 10)).toEqual([]);
  });

  it("shows a message that came directly and as a copy once", async () => {
    const { shown, receive } = setup();
    const direct = stanza(fromJuliet("Art thou not Romeo?"));
    await receive(direct, carbon("received", fromJuliet("Art thou not Romeo?")));
    // And the other way round, under another stanza id: the origin-id is the same message.
    await receive(
      carbon("received", fromJuliet("and a Montague?", "o-2")),
      stanza(fromJuliet("and a Montague?", "o-2").replace("id='j-1'", "id='j-2'")),
    );
    expect(shown.map((message) => message.body)).toEqual([
      "Art thou not Romeo?",
      "and a Montague?",
    ]);
  });

  it("keeps our own message once when a copy of it comes back", async () => {
    const { state, sent, shown, receive } = setup();
    const mine = await state.chat.send(JULIET, "Neither, fair saint");
    const id = /id="([^"]+)"/.exec(sent.find((stanza) => stanza.startsWith("<message"))!)![1]!;
    const echo = toJuliet("Neither, fair saint").replace(/r-1/g, id);
    await receive(carbon("sent", echo));
    expect(shown).toEqual([]);
    const kept = await state.chat.history(JULIET, {}, 10);
    expect(kept.map((m) => [m.id, m.body])).toEqual([[mine.id, mine.body]]);
  });

  it("ignores and logs a copy from anyone but our own bare JID, and takes the message", async () => {
    const { state, shown, receive, warnings } = setup();
    const forgers = [
      "mallory@evil.example", // someone else
      "mallory@evil.example/phone", // someone else's full JID
      "montague.example", // our own server's domain: carbons come from the account, not the server
      `${ACCOUNT}/home`, // one of our own resources: only the server speaks for the account
    ];
    for (const from of forgers) {
      await receive(carbon("received", fromJuliet("I love Mallory"), from));
      await receive(carbon("sent", toJuliet("I love Mallory"), from));
    }
    // No from at all, and a forged copy whose wrapper carries a text of its own.
    await receive(
      stanza(
        "<message type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>" +
          `${fromJuliet("I love Mallory")}</forwarded></received></message>`,
      ),
      stanza(
        "<message from='mallory@evil.example/phone' type='chat'><body>look</body>" +
          "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>" +
          `${toJuliet("I love Mallory")}</forwarded></sent></message>`,
      ),
    );
    expect(shown).toEqual([]);
    expect(await state.chat.history(JULIET, {}, 10)).toEqual([]);
    expect(await state.chat.history("mallory@evil.example", {}, 10)).toEqual([]);
    expect(warnings()).toEqual(
      Array(forgers.length * 2 + 2).fill(
        "ignored a carbon copy that did not come from our own account",
      ),
    );
  });

  it("ignores a malformed copy, and a sent copy someone else wrote", async () => {
    const { shown, receive, warnings } = setup();
    const twice = `${fromJuliet("one")}${fromJuliet("two", "o-2")}`;
    await receive(
      carbon("received", twice),
      carbon("received", ""),
      stanza(
        `<message from='${ACCOUNT}' type='chat'>` +
          "<received xmlns='urn:xmpp:carbons:2'/><sent xmlns='urn:xmpp:carbons:2'/></message>",
      ),
      carbon("sent", toJuliet("not mine", `${JULIET}/balcony`)),
    );
    expect(shown).toEqual([]);
    expect(warnings()).toEqual(Array(3).fill("ignored a malformed carbon copy"));
  });

  it("takes copies without text (chat states) and shows nothing", async () => {
    const { shown, receive } = setup();
    await receive(
      carbon(
        "received",
        `<message from='${JULIET}/balcony' type='chat'>` +
          "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
      ),
    );
    expect(shown).toEqual([]);
  });
});
