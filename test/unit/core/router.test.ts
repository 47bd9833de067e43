import { EventEmitter } from "node:events";
import { jid, xml, type Client, type Element } from "@xmpp/client";
import createMiddleware from "@xmpp/middleware";
import { describe, expect, it } from "vitest";
import type { Feature } from "../../../main/core/features/feature";
import { StanzaGate, StanzaRouter } from "../../../main/core/router";
import { captureLog } from "./logger-double";

/** Just enough of an entity for the real xmpp.js middleware: stanzas in via "element". */
function fakeEntity() {
  const sent: Element[] = [];
  const entity = Object.assign(new EventEmitter(), {
    jid: jid("alice@example.org/desk"),
    options: { domain: "example.org" },
    send: async (element: Element) => {
      sent.push(element);
    },
  });
  const middleware = createMiddleware({ entity: entity as unknown as Client });
  return {
    routed: { middleware, send: entity.send, jid: entity.jid },
    sent,
    receive: (stanza: Element) => entity.emit("element", stanza),
  };
}

const tick = () => new Promise((done) => setImmediate(done));

function setup(features: Feature[]) {
  const { log, lines } = captureLog();
  const router = new StanzaRouter(log);
  for (const feature of features) router.add(feature);
  const entity = fakeEntity();
  const gate = new StanzaGate();
  router.attach(entity.routed, gate);
  return { router, gate, lines, ...entity };
}

const chat = (body: string) =>
  xml("message", { from: "bob@example.org/phone", type: "chat" }, xml("body", {}, body));

function recorder(name: string, seen: string[], consume = false): Feature {
  return {
    name,
    message: (stanza) => {
      seen.push(`${name}:${stanza.getChildText("body")}`);
      return consume;
    },
  };
}

describe("StanzaRouter", () => {
  it("drops what arrives while the gate is closed, and logs it once per connection", async () => {
    const seen: string[] = [];
    const { receive, lines, gate } = setup([recorder("chat", seen)]);
    for (let i = 0; i < 1_000; i++) receive(chat("before TLS"));
    gate.hold();
    gate.open();
    receive(chat("after"));
    await tick();
    expect(seen).toEqual(["chat:after"]);
    expect(
      lines.filter((line) => line.level === "warn" && /before the connection/.test(line.message)),
    ).toHaveLength(1);
  });

  it("holds stanzas between authentication and the last checks, then delivers them in order", async () => {
    const seen: string[] = [];
    const { receive, gate } = setup([recorder("chat", seen)]);
    gate.hold();
    receive(chat("one"));
    receive(chat("two"));
    await tick();
    expect(seen).toEqual([]);
    gate.open();
    receive(chat("three"));
    expect(seen).toEqual(["chat:one", "chat:two", "chat:three"]);
  });

  it("calls features in the order they were added, until one consumes the stanza", async () => {
    const seen: string[] = [];
    const { receive, gate } = setup([
      recorder("first", seen),
      recorder("second", seen, true),
      recorder("third", seen),
    ]);
    gate.hold();
    gate.open();
    receive(chat("x"));
    await tick();
    expect(seen).toEqual(["first:x", "second:x"]);
  });

  it("logs a feature that throws and goes on with the next", async () => {
    const seen: string[] = [];
    const broken: Feature = {
      name: "broken",
      message: () => {
        throw new TypeError("boom");
      },
    };
    const { receive, gate, lines } = setup([broken, recorder("after", seen)]);
    gate.hold();
    gate.open();
    receive(chat("x"));
    await tick();
    expect(seen).toEqual(["after:x"]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        data: expect.arrayContaining([{ feature: "broken", error: "TypeError" }]),
      }),
    );
  });

  it("answers IQs from the features' routes, and service-unavailable or bad-request otherwise", async () => {
    const feature: Feature = {
      name: "version",
      iq: [
        {
          type: "get",
          ns: "jabber:iq:version",
          name: "query",
          handle: () => xml("query", { xmlns: "jabber:iq:version" }, xml("name", {}, "Wren")),
        },
        {
          type: "set",
          ns: "urn:example:fails",
          name: "do",
          handle: () => {
            throw new Error("no");
          },
        },
      ],
    };
    const { receive, gate, sent } = setup([feature]);
    gate.hold();
    gate.open();
    const iq = (id: string, type: string, ...children: Element[]) =>
      xml("iq", { id, type, from: "bob@example.org/phone" }, ...children);
    receive(iq("v", "get", xml("query", { xmlns: "jabber:iq:version" })));
    receive(iq("u", "get", xml("query", { xmlns: "urn:example:unknown" })));
    receive(iq("f", "set", xml("do", { xmlns: "urn:example:fails" })));
    receive(iq("b", "get"));
    receive(xml("iq", { id: "r", type: "result", from: "bob@example.org/phone" }));
    await tick();
    const byId = new Map(sent.map((reply) => [reply.attrs.id, reply]));
    expect(byId.get("v")?.toString()).toBe(
      '<iq type="result" id="v" to="bob@example.org/phone"><query xmlns="jabber:iq:version"><name>Wren</name></query></iq>',
    );
    expect(byId.get("u")?.getChild("error")?.getChild("service-unavailable")).toBeDefined();
    expect(byId.get("f")?.getChild("error")?.getChild("internal-server-error")).toBeDefined();
    expect(byId.get("b")?.getChild("error")?.getChild("bad-request")).toBeDefined();
    expect(byId.has("r")).toBe(false); // answers are the IQ caller's, never routed
  });

  it("answers a roster push from anyone but the account itself, and never routes it", async () => {
    const pushes: string[] = [];
    const roster: Feature = {
      name: "roster",
      iq: [
        {
          type: "set",
          ns: "jabber:iq:roster",
          name: "query",
          handle: (stanza) => {
            pushes.push(stanza.attrs.from ?? "(none)");
            return true;
          },
        },
      ],
    };
    const { receive, gate, sent } = setup([roster]);
    gate.hold();
    gate.open();
    const push = (id: string, from?: string) =>
      xml("iq", { id, type: "set", from }, xml("query", { xmlns: "jabber:iq:roster" }));
    receive(push("evil", "mallory@example.net"));
    receive(push("ok1"));
    receive(push("ok2", "alice@example.org"));
    await tick();
    expect(pushes).toEqual(["(none)", "alice@example.org"]);
    expect(sent.find((reply) => reply.attrs.id === "evil")?.attrs.type).toBe("error");
  });

  it("collects the disco features of every feature, once each", () => {
    const { router } = setup([
      { name: "a", discoFeatures: ["urn:a", "urn:shared"] },
      { name: "b", discoFeatures: ["urn:shared", "urn:b"] },
    ]);
    expect(router.discoFeatures()).toEqual(["urn:a", "urn:shared", "urn:b"]);
  });

  it("tells features they are online in order, and offline even when one fails", async () => {
    const calls: string[] = [];
    const { router, lines } = setup([
      {
        name: "first",
        online: async ({ resumed }) => void calls.push(`first online ${resumed}`),
        offline: () => {
          calls.push("first offline");
          throw new Error("no");
        },
      },
      {
        name: "second",
        online: async () => void calls.push("second online"),
        offline: () => void calls.push("second offline"),
      },
    ]);
    const outbox = { send: async () => {}, request: async () => xml("iq") };
    await router.online({ resumed: false }, outbox);
    router.offline();
    expect(calls).toEqual([
      "first online false",
      "second online",
      "first offline",
      "second offline",
    ]);
    expect(lines.some((line) => line.level === "error")).toBe(true);
  });
});
