import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { jid, xml, type Client, type Element } from "@xmpp/client";
import createMiddleware from "@xmpp/middleware";
import { createIqCaller } from "../../../../main/core/transport/iq-caller";
import { allowOnlyOwnAccount } from "../../../../main/core/transport/account-only";

/** Just enough of an entity for the real xmpp.js middleware: stanzas in via "element", out via send. */
function fakeEntity() {
  const sent: Element[] = [];
  const entity = Object.assign(new EventEmitter(), {
    jid: jid("alice@example.org/laptop"),
    options: { domain: "example.org" },
    send: async (element: Element) => {
      sent.push(element);
    },
  });
  const middleware = createMiddleware({ entity: entity as unknown as Client });
  const receive = (text: string) => entity.emit("element", parse(text));
  return { entity: entity as unknown as Client, middleware, sent, receive };
}

function parse(text: string): Element {
  // Built with xml() to stay independent of the parser under test elsewhere.
  const match = /^<iq ([^>]*)>(.*)<\/iq>$/.exec(text);
  if (!match) throw new Error(`test stanza not understood: ${text}`);
  const attrs = Object.fromEntries(
    [...(match[1] ?? "").matchAll(/(\w+)='([^']*)'/g)].map((m) => [m[1], m[2]]),
  );
  const child = /^<(\w+) xmlns='([^']+)'\/>$/.exec(match[2] ?? "");
  return xml("iq", attrs, child ? xml(child[1]!, { xmlns: child[2]! }) : null);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createIqCaller", () => {
  it("uses unpredictable 128-bit ids", async () => {
    const { entity, middleware, sent } = fakeEntity();
    const caller = createIqCaller(entity, middleware);
    for (let i = 0; i < 20; i++) {
      caller.request(xml("iq", { type: "get", to: "bob@example.net" }), 50).catch(() => {});
    }
    const ids = sent.map((iq) => iq.attrs.id ?? "");
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) expect(Buffer.from(id, "base64url")).toHaveLength(16);
  });

  it("takes the answer only from the entity the request went to", async () => {
    const { entity, middleware, sent, receive } = fakeEntity();
    const caller = createIqCaller(entity, middleware);
    const answer = caller.request(xml("iq", { type: "get", to: "bob@example.net/phone" }), 2000);
    await tick();
    const id = sent[0]!.attrs.id!;
    receive(`<iq type='result' id='${id}' from='mallory@example.net/x'><evil xmlns='urn:x'/></iq>`);
    receive(`<iq type='result' id='${id}' from='bob@example.net'><evil xmlns='urn:x'/></iq>`);
    receive(`<iq type='result' id='${id}'><evil xmlns='urn:x'/></iq>`);
    receive(`<iq type='result' id='${id}' from='BOB@example.net/phone'><ok xmlns='urn:x'/></iq>`);
    const reply = await answer;
    expect(reply.getChild("ok", "urn:x")).toBeDefined();
  });

  it("takes our own server's answer to a request without 'to' in any of its forms", async () => {
    for (const from of ["", "alice@example.org", "alice@example.org/laptop", "example.org"]) {
      const { entity, middleware, sent, receive } = fakeEntity();
      const caller = createIqCaller(entity, middleware);
      const answer = caller.request(xml("iq", { type: "get" }), 2000);
      await tick();
      const id = sent[0]!.attrs.id!;
      receive(`<iq type='result' id='${id}' from='eve@example.org'></iq>`);
      receive(`<iq type='result' id='${id}'${from ? ` from='${from}'` : ""}></iq>`);
      await expect(answer).resolves.toBeDefined();
    }
  });

  it("leaves a spoofed answer unanswered until the request times out", async () => {
    const { entity, middleware, sent, receive } = fakeEntity();
    const caller = createIqCaller(entity, middleware);
    const answer = caller.request(xml("iq", { type: "get", to: "example.org" }), 100);
    await tick();
    receive(`<iq type='result' id='${sent[0]!.attrs.id}' from='bob@example.net'></iq>`);
    await expect(answer).rejects.toMatchObject({ name: "TimeoutError" });
  });
});

describe("allowOnlyOwnAccount", () => {
  it("answers a roster push from anyone but the account with service-unavailable", async () => {
    const { entity, middleware, sent, receive } = fakeEntity();
    allowOnlyOwnAccount(entity, middleware);
    const reached: string[] = [];
    middleware.use((ctx) => {
      reached.push(ctx.stanza.attrs.from ?? "(none)");
      return undefined;
    });
    for (const from of ["mallory@example.net", "alice@example.org/other", "example.org"]) {
      receive(`<iq type='set' id='p' from='${from}'><query xmlns='jabber:iq:roster'/></iq>`);
    }
    receive(
      `<iq type='set' id='ok1' from='alice@example.org'><query xmlns='jabber:iq:roster'/></iq>`,
    );
    receive(`<iq type='set' id='ok2'><query xmlns='jabber:iq:roster'/></iq>`);
    await tick();
    expect(reached).toEqual(["alice@example.org", "(none)"]);
    expect(sent).toHaveLength(3);
    for (const reply of sent) {
      expect(reply.attrs.type).toBe("error");
      expect(reply.getChild("error")?.getChild("service-unavailable")).toBeDefined();
    }
  });
});
