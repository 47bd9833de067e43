import { EventEmitter } from "node:events";
import { jid, xml, type Client, type Element } from "@xmpp/client";
import createMiddleware from "@xmpp/middleware";
import { describe, expect, it } from "vitest";
import { createDisco } from "../../../../../main/core/features/disco/disco";
import { capsHash } from "../../../../../main/core/features/disco/caps-hash";
import { NS_DISCO_INFO, parseDiscoInfo } from "../../../../../main/core/features/disco/parse";
import type { Feature } from "../../../../../main/core/features/feature";
import { StanzaGate, StanzaRouter } from "../../../../../main/core/router";
import { fakeOutbox } from "../../fake-outbox";
import { answeringOutbox, captureLog, infoResult, presence, tick } from "./helpers";

const ACCOUNT = "juliet@capulet.lit";

/** Disco in a real StanzaRouter on the real xmpp.js middleware, with another feature after it. */
function routed() {
  const { log, lines } = captureLog();
  const sent: Element[] = [];
  const entity = Object.assign(new EventEmitter(), {
    send: async (element: Element) => {
      sent.push(element);
    },
  });
  const middleware = createMiddleware({ entity: entity as unknown as Client });
  const router = new StanzaRouter(log);
  const disco = router.add(
    createDisco({ account: ACCOUNT, features: () => router.discoFeatures(), log }),
  );
  const seenByNext: Element[] = [];
  const next: Feature = {
    name: "next",
    discoFeatures: ["urn:xmpp:receipts"],
    presence: (stanza) => void seenByNext.push(stanza),
  };
  router.add(next);
  const gate = new StanzaGate();
  gate.hold();
  gate.open();
  router.attach({ middleware, send: entity.send, jid: jid(`${ACCOUNT}/balcony`) }, gate);
  const receive = async (stanza: Element) => {
    entity.emit("element", stanza);
    await tick();
  };
  return { disco, router, sent, receive, seenByNext, lines };
}

function infoQuery(node?: string): Element {
  return xml(
    "iq",
    { type: "get", id: "q1", from: "romeo@montague.lit/orchard" },
    xml("query", { xmlns: NS_DISCO_INFO, ...(node && { node }) }),
  );
}

describe("disco answering about Wren", () => {
  it("answers disco#info with client/pc 'Wren' and every feature's namespaces", async () => {
    const { sent, receive } = routed();
    await receive(infoQuery());
    const answer = sent[0]!;
    expect(answer.attrs).toMatchObject({
      type: "result",
      id: "q1",
      to: "romeo@montague.lit/orchard",
    });
    const query = answer.getChild("query", NS_DISCO_INFO)!;
    expect(query.attrs.node).toBeUndefined();
    expect(query.getChildren("identity").map((identity) => identity.attrs)).toEqual([
      { category: "client", type: "pc", name: "Wren" },
    ]);
    expect(query.getChildren("feature").map((feature) => feature.attrs.var)).toEqual([
      "http://jabber.org/protocol/caps",
      "http://jabber.org/protocol/disco#info",
      "urn:xmpp:receipts",
    ]);
  });

  it("publishes a <c/> whose ver is the hash of exactly what it answers", async () => {
    const { disco, sent, receive } = routed();
    const c = disco.capsElement();
    expect(c.attrs).toMatchObject({
      xmlns: "http://jabber.org/protocol/caps",
      hash: "sha-1",
      node: "https://wren.im",
    });
    await receive(infoQuery());
    const { info, verifiable } = parseDiscoInfo(sent[0]!.getChild("query", NS_DISCO_INFO)!);
    expect(verifiable).toBe(true);
    expect(capsHash(info, "sha-1")).toBe(c.attrs.ver);
  });

  it("answers at its caps node for the current ver, echoing the node", async () => {
    const { disco, sent, receive } = routed();
    const node = `https://wren.im#${disco.capsElement().attrs.ver}`;
    await receive(infoQuery(node));
    expect(sent[0]!.attrs.type).toBe("result");
    const query = sent[0]!.getChild("query", NS_DISCO_INFO)!;
    expect(query.attrs.node).toBe(node);
    expect(query.getChildren("feature")).toHaveLength(3);
  });

  it("answers item-not-found for any other node", async () => {
    const { sent, receive } = routed();
    for (const node of ["https://wren.im#old", "http://other.example/caps", "bookmarks"]) {
      sent.length = 0;
      await receive(infoQuery(node));
      const answer = sent[0]!;
      expect(answer.attrs.type).toBe("error");
      const error = answer.getChild("error")!;
      expect(error.attrs.type).toBe("cancel");
      expect(error.getChild("item-not-found", "urn:ietf:params:xml:ns:xmpp-stanzas")).toBeDefined();
    }
  });

  it("computes a new ver when the features change, and forgets the old node", async () => {
    const { disco, router, sent, receive } = routed();
    const before = disco.capsElement().attrs.ver;
    router.add({ name: "later", discoFeatures: ["urn:xmpp:carbons:2"] });
    const after = disco.capsElement().attrs.ver;
    expect(after).not.toBe(before);
    await receive(infoQuery(`https://wren.im#${before}`));
    expect(sent[0]!.attrs.type).toBe("error");
    await receive(infoQuery(`https://wren.im#${after}`));
    expect(sent[1]!.attrs.type).toBe("result");
  });

  it("reads caps from presence without consuming it", async () => {
    const { disco, receive, seenByNext } = routed();
    await receive(presence("romeo@montague.lit/orchard", { ver: "abc=" }));
    expect(seenByNext).toHaveLength(1);
    expect(disco.capsOf("Romeo@Montague.lit/orchard")).toMatchObject({
      hash: "sha-1",
      ver: "abc=",
    });
  });
});

describe("disco asking the server", () => {
  // The server answers for itself; the account's bare JID for its archive (as Prosody does).
  const serverAnswer = (iq?: Element) =>
    iq?.attrs.to === ACCOUNT
      ? infoResult(ACCOUNT, "<feature var='urn:xmpp:mam:2'/><feature var='urn:xmpp:sid:0'/>")
      : infoResult(
          "capulet.lit",
          "<identity category='server' type='im'/>" +
            "<feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:mam:2'/>",
        );

  it("knows nothing before the first session", () => {
    const disco = createDisco({ account: ACCOUNT, features: () => [] });
    expect(disco.serverInfo()).toBeNull();
    expect(disco.serverFeatures().size).toBe(0);
    expect(disco.serverSupports("urn:xmpp:carbons:2")).toBe(false);
  });

  it("asks the account's domain and the account itself on a new session", async () => {
    const { outbox, sent } = fakeOutbox(serverAnswer);
    const disco = createDisco({ account: ACCOUNT, features: () => [] });
    await disco.online!({ resumed: false }, outbox);
    expect(sent).toEqual([
      `<iq type="get" to="capulet.lit"><query xmlns="${NS_DISCO_INFO}"/></iq>`,
      `<iq type="get" to="${ACCOUNT}"><query xmlns="${NS_DISCO_INFO}"/></iq>`,
    ]);
    expect(disco.accountSupports("urn:xmpp:sid:0")).toBe(true);
    expect(disco.serverSupports("urn:xmpp:sid:0")).toBe(false);
    expect(disco.serverSupports("urn:xmpp:carbons:2")).toBe(true);
    expect(disco.serverSupports("urn:xmpp:mam:2")).toBe(true);
    expect(disco.serverSupports("urn:xmpp:blocking")).toBe(false);
    expect([...disco.serverFeatures()]).toEqual(["urn:xmpp:carbons:2", "urn:xmpp:mam:2"]);
    expect(disco.serverInfo()?.identities).toEqual([
      { category: "server", type: "im", name: "", lang: "" },
    ]);
    // Asking about the server itself needs no second query.
    expect(await disco.supports("capulet.lit", "urn:xmpp:mam:2")).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it("asks contacts only over the live connection, never over one that is down", async () => {
    const { outbox, sent } = fakeOutbox(serverAnswer);
    let live: typeof outbox | null = outbox;
    const disco = createDisco({ account: ACCOUNT, features: () => [], outbox: () => live });
    await disco.online!({ resumed: false }, outbox);
    // The link is lost, waiting to be resumed: features are not told offline, the outbox is gone.
    live = null;
    expect(await disco.infoOf("romeo@montague.lit/orchard")).toBeNull();
    expect(sent).toHaveLength(2); // only the server's and the account's disco#info
  });

  it("does not ask again on a resumed stream, and keeps what it knew across offline", async () => {
    const { outbox, sent } = fakeOutbox(serverAnswer);
    const disco = createDisco({ account: ACCOUNT, features: () => [] });
    await disco.online!({ resumed: false }, outbox);
    await disco.online!({ resumed: true }, outbox);
    expect(sent).toHaveLength(2);
    disco.offline!();
    expect(disco.serverSupports("urn:xmpp:carbons:2")).toBe(true);
  });

  it("keeps the last answer when a new session's query fails, and replaces it when one succeeds", async () => {
    const { log, lines } = captureLog();
    let reply: () => Element | Error = serverAnswer;
    const { outbox } = answeringOutbox(() => reply());
    const disco = createDisco({ account: ACCOUNT, features: () => [], log });
    await disco.online!({ resumed: false }, outbox);
    reply = () => new Error("timeout");
    await expect(disco.online!({ resumed: false }, outbox)).resolves.toBeUndefined();
    expect(disco.serverSupports("urn:xmpp:carbons:2")).toBe(true);
    expect(lines.filter((line) => line.level === "warn")).toHaveLength(2);
    reply = () => infoResult("capulet.lit", "<feature var='urn:xmpp:blocking'/>");
    await disco.online!({ resumed: false }, outbox);
    expect([...disco.serverFeatures()]).toEqual(["urn:xmpp:blocking"]);
  });

  it("lists the server's items", async () => {
    const { outbox, requests } = answeringOutbox((iq) =>
      iq.getChild("query", "http://jabber.org/protocol/disco#items")
        ? xml(
            "iq",
            { type: "result" },
            xml(
              "query",
              { xmlns: "http://jabber.org/protocol/disco#items" },
              xml("item", { jid: "upload.capulet.lit" }),
            ),
          )
        : serverAnswer(iq),
    );
    const disco = createDisco({ account: ACCOUNT, features: () => [] });
    expect(await disco.itemsOf("capulet.lit")).toBeNull();
    await disco.online!({ resumed: false }, outbox);
    expect(await disco.itemsOf("capulet.lit")).toEqual([
      { jid: "upload.capulet.lit", node: "", name: "" },
    ]);
    expect(requests[2]?.attrs.to).toBe("capulet.lit");
  });
});
