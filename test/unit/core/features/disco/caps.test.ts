import { describe, expect, it } from "vitest";
import { xml } from "@xmpp/client";
import { CapsCache } from "../../../../../main/core/features/disco/bounded-map";
import { createDisco, type Disco } from "../../../../../main/core/features/disco/disco";
import { NS_DISCO_INFO } from "../../../../../main/core/features/disco/parse";
import { PRESENCE_CAPS_LIMIT } from "../../../../../main/core/features/disco/remote";
import {
  EXODUS_QUERY,
  EXODUS_VER,
  PSI_QUERY,
  PSI_VER,
  answeringOutbox,
  captureLog,
  deferredOutbox,
  infoResult,
  presence,
  tick,
} from "./helpers";

const MUC = "http://jabber.org/protocol/muc";
const ROMEO = "romeo@montague.lit/orchard";
const NURSE = "nurse@capulet.lit/chamber";
const EXODUS_NODE = `http://code.google.com/p/exodus#${EXODUS_VER}`;

/** A disco online on a new session, with the server's own query already answered. */
async function online(options: { cache?: CapsCache } = {}) {
  const { log, lines } = captureLog();
  const { outbox, requests } = deferredOutbox();
  const disco = createDisco({ account: "juliet@capulet.lit", features: () => [], log, ...options });
  const going = disco.online!({ resumed: false }, outbox);
  requests.shift()!.answer(infoResult("capulet.lit", ""));
  requests.shift()!.answer(infoResult("juliet@capulet.lit", ""));
  await going;
  return { disco, requests, lines };
}

/** Answers the one request waiting, checking where it went and which node it asked about. */
async function answerOne(
  requests: ReturnType<typeof deferredOutbox>["requests"],
  to: string,
  node: string | undefined,
  children: string,
) {
  await tick();
  expect(requests).toHaveLength(1);
  const request = requests.shift()!;
  expect(request.iq.attrs.to).toBe(to);
  expect(request.iq.getChild("query", NS_DISCO_INFO)?.attrs.node).toBe(node);
  request.answer(infoResult(to, children, node));
}

function learn(disco: Disco, jid: string, ver: string, hash?: string) {
  expect(disco.presence!(presence(jid, { ver, ...(hash && { hash }) }))).toBe(false);
}

describe("entity capabilities", () => {
  it("asks once at node#ver, then answers everyone with that ver from the cache", async () => {
    const { disco, requests } = await online();
    learn(disco, ROMEO, EXODUS_VER);
    learn(disco, NURSE, EXODUS_VER);
    const romeo = disco.supports(ROMEO, MUC);
    await answerOne(requests, ROMEO, EXODUS_NODE, EXODUS_QUERY);
    expect(await romeo).toBe(true);
    expect(await disco.supports(NURSE, MUC)).toBe(true);
    expect(await disco.supports(NURSE, "urn:xmpp:jingle:1")).toBe(false);
    await tick();
    expect(requests).toHaveLength(0);
  });

  it("shares one query among concurrent questions about the same ver", async () => {
    const { disco, requests } = await online();
    learn(disco, ROMEO, EXODUS_VER);
    learn(disco, NURSE, EXODUS_VER);
    const answers = [disco.infoOf(ROMEO), disco.supports(NURSE, MUC), disco.infoOf(ROMEO)];
    await answerOne(requests, ROMEO, EXODUS_NODE, EXODUS_QUERY);
    const [romeo, nurse, again] = await Promise.all(answers);
    expect(nurse).toBe(true);
    expect(romeo).toBe(again);
    expect(romeo).not.toBeNull();
  });

  it("shares the cache between accounts", async () => {
    const cache = new CapsCache();
    const first = await online({ cache });
    learn(first.disco, ROMEO, PSI_VER);
    const asked = first.disco.infoOf(ROMEO);
    await answerOne(first.requests, ROMEO, `http://code.google.com/p/exodus#${PSI_VER}`, PSI_QUERY);
    expect((await asked)?.forms[0]?.formType).toBe("urn:xmpp:dataforms:softwareinfo");
    const second = await online({ cache });
    learn(second.disco, NURSE, PSI_VER);
    expect(await second.disco.supports(NURSE, MUC)).toBe(true);
    expect(second.requests).toHaveLength(0);
  });

  it("does not cache an answer that does not match its ver, logs it, and asks again later", async () => {
    const { disco, requests, lines } = await online();
    const fakeVer = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const node = `http://code.google.com/p/exodus#${fakeVer}`;
    learn(disco, ROMEO, fakeVer);
    const first = disco.supports(ROMEO, MUC);
    await answerOne(requests, ROMEO, node, EXODUS_QUERY);
    // What Romeo said is still what Romeo said: it answers the question about Romeo.
    expect(await first).toBe(true);
    expect(lines.filter((line) => line.level === "warn")).toHaveLength(1);
    expect(JSON.stringify(lines[0]?.data)).toContain("mismatch");
    const second = disco.supports(ROMEO, MUC);
    await answerOne(requests, ROMEO, node, "");
    expect(await second).toBe(false);
  });

  it("asks each entity itself when a shared answer for their ver did not verify", async () => {
    const { disco, requests } = await online();
    const fakeVer = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const node = `http://code.google.com/p/exodus#${fakeVer}`;
    learn(disco, ROMEO, fakeVer);
    learn(disco, NURSE, fakeVer);
    const romeo = disco.supports(ROMEO, MUC);
    const nurse = disco.supports(NURSE, MUC);
    await answerOne(requests, ROMEO, node, EXODUS_QUERY);
    expect(await romeo).toBe(true);
    // Romeo's unverified answer says nothing about the Nurse: she is asked herself.
    await answerOne(requests, NURSE, node, "<feature var='urn:other'/>");
    expect(await nurse).toBe(false);
  });

  it("does not cache an ill-formed answer (a feature twice), even with a plausible ver", async () => {
    const { disco, requests, lines } = await online();
    learn(disco, ROMEO, EXODUS_VER);
    const first = disco.supports(ROMEO, MUC);
    await answerOne(requests, ROMEO, EXODUS_NODE, EXODUS_QUERY + `<feature var='${MUC}'/>`);
    expect(await first).toBe(true);
    expect(JSON.stringify(lines.at(-1)?.data)).toContain("ill-formed");
    learn(disco, NURSE, EXODUS_VER);
    const second = disco.supports(NURSE, MUC);
    await answerOne(requests, NURSE, EXODUS_NODE, EXODUS_QUERY);
    expect(await second).toBe(true);
  });

  it("knows what another Wren with the same features can do without asking it", async () => {
    const { disco, requests } = await online();
    learn(disco, ROMEO, disco.capsElement().attrs.ver!);
    expect(await disco.supports(ROMEO, "http://jabber.org/protocol/caps")).toBe(true);
    expect((await disco.infoOf(ROMEO))?.identities[0]?.name).toBe("Wren");
    expect(requests).toHaveLength(0);
  });

  it("asks, but never caches, when the hash cannot be checked", async () => {
    const { disco, requests } = await online();
    learn(disco, ROMEO, "whatever", "md5");
    for (let i = 0; i < 2; i++) {
      const asked = disco.supports(ROMEO, MUC);
      await answerOne(requests, ROMEO, "http://code.google.com/p/exodus#whatever", EXODUS_QUERY);
      expect(await asked).toBe(true);
    }
  });

  it("asks an entity without caps plainly, without a node", async () => {
    const { disco, requests } = await online();
    const asked = disco.infoOf("conference.capulet.lit");
    await answerOne(requests, "conference.capulet.lit", undefined, `<feature var='${MUC}'/>`);
    expect((await asked)?.features).toEqual([MUC]);
  });

  it("says false (and caches nothing) when the query fails", async () => {
    const { disco, requests } = await online();
    learn(disco, ROMEO, EXODUS_VER);
    const first = disco.supports(ROMEO, MUC);
    await tick();
    requests.shift()!.answer(new Error("service-unavailable"));
    expect(await first).toBe(false);
    const second = disco.supports(ROMEO, MUC);
    await answerOne(requests, ROMEO, EXODUS_NODE, EXODUS_QUERY);
    expect(await second).toBe(true);
  });

  it("keeps caps through a presence without <c/>, and forgets them when the entity leaves", async () => {
    const { disco } = await online();
    learn(disco, ROMEO, EXODUS_VER);
    disco.presence!(presence(ROMEO));
    expect(disco.capsOf(ROMEO)?.ver).toBe(EXODUS_VER);
    disco.presence!(xml("presence", { from: ROMEO, type: "subscribe" }));
    expect(disco.capsOf(ROMEO)?.ver).toBe(EXODUS_VER);
    disco.presence!(xml("presence", { from: ROMEO, type: "unavailable" }));
    expect(disco.capsOf(ROMEO)).toBeUndefined();
  });

  it("offline forgets presences but keeps what was verified; offline asks no one", async () => {
    const { disco, requests } = await online();
    learn(disco, ROMEO, EXODUS_VER);
    const asked = disco.supports(ROMEO, MUC);
    await answerOne(requests, ROMEO, EXODUS_NODE, EXODUS_QUERY);
    await asked;
    disco.offline!();
    expect(disco.capsOf(ROMEO)).toBeUndefined();
    expect(await disco.infoOf(NURSE)).toBeNull();
    learn(disco, NURSE, EXODUS_VER);
    expect(await disco.supports(NURSE, MUC)).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it("forgets the presences of the old session on a new one, not on a resumed one", async () => {
    const { outbox } = answeringOutbox(() => infoResult("capulet.lit", ""));
    const disco = createDisco({ account: "juliet@capulet.lit", features: () => [] });
    await disco.online!({ resumed: false }, outbox);
    learn(disco, ROMEO, EXODUS_VER);
    await disco.online!({ resumed: true }, outbox);
    expect(disco.capsOf(ROMEO)).toBeDefined();
    await disco.online!({ resumed: false }, outbox);
    expect(disco.capsOf(ROMEO)).toBeUndefined();
  });

  it("remembers the caps of at most 5,000 entities, dropping the oldest", async () => {
    const { disco } = await online();
    for (let i = 0; i <= PRESENCE_CAPS_LIMIT; i++) learn(disco, `user${i}@example.net/r`, `v${i}`);
    expect(disco.capsOf("user0@example.net/r")).toBeUndefined();
    expect(disco.capsOf("user1@example.net/r")?.ver).toBe("v1");
    expect(disco.capsOf(`user${PRESENCE_CAPS_LIMIT}@example.net/r`)).toBeDefined();
  });
});

describe("CapsCache", () => {
  const info = { identities: [], features: ["urn:a"], forms: [] };

  it("holds at most its limit, forgetting the least recently used", () => {
    const cache = new CapsCache(2);
    cache.set("sha-1", "a", info);
    cache.set("sha-1", "b", info);
    expect(cache.get("sha-1", "a")).toBe(info);
    cache.set("sha-1", "c", info);
    expect(cache.size).toBe(2);
    expect(cache.get("sha-1", "b")).toBeUndefined();
    expect(cache.get("sha-1", "a")).toBe(info);
    expect(cache.get("sha-256", "a")).toBeUndefined();
  });

  it("defaults to 2,000 vers", () => {
    const cache = new CapsCache();
    for (let i = 0; i < 2100; i++) cache.set("sha-1", `v${i}`, info);
    expect(cache.size).toBe(2000);
  });
});
