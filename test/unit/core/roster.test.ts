import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import type { RosterChange } from "../../../main/core/session-api";
import { Roster } from "../../../main/core/features/roster";
import { fakeOutbox } from "./fake-outbox";

const ACCOUNT = "alice@example.org";

function setup(items: { jid: string; subscription?: string; ask?: string }[] = []) {
  const { outbox, sent } = fakeOutbox(() =>
    xml(
      "iq",
      { type: "result" },
      xml("query", { xmlns: "jabber:iq:roster" }, ...items.map((item) => xml("item", item))),
    ),
  );
  const changes: RosterChange[] = [];
  const requests: string[] = [];
  const resolved: string[] = [];
  const roster = new Roster({
    account: ACCOUNT,
    outbox: () => outbox,
    onChange: (change) => changes.push(change),
    onRequest: (jid) => requests.push(jid),
    onRequestResolved: (jid) => resolved.push(jid),
  });
  return { roster, sent, changes, requests, resolved };
}

function push(from: string | undefined, jid: string, subscription: string) {
  return xml(
    "iq",
    { type: "set", id: "push", from },
    xml("query", { xmlns: "jabber:iq:roster" }, xml("item", { jid, subscription })),
  );
}

describe("Roster", () => {
  it("fetch replaces the roster and reports a reset", async () => {
    const { roster, sent, changes } = setup([
      { jid: "bob@example.org", subscription: "both" },
      { jid: "carol@example.org", ask: "subscribe" },
    ]);
    await roster.fetch();
    expect(sent).toEqual(['<iq type="get"><query xmlns="jabber:iq:roster"/></iq>']);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.reset).toBe(true);
    expect(roster.items().map((item) => [item.jid, item.subscription, item.pendingOut])).toEqual([
      ["bob@example.org", "both", false],
      ["carol@example.org", "none", true],
    ]);
  });

  it("applies pushes from our server: upsert, then remove", () => {
    const { roster, changes } = setup();
    expect(roster.handlePush(push(undefined, "bob@example.org", "to"))).toBe(true);
    expect(roster.handlePush(push(ACCOUNT, "carol@example.org", "none"))).toBe(true);
    expect(roster.items().map((item) => item.jid)).toEqual([
      "bob@example.org",
      "carol@example.org",
    ]);

    expect(roster.handlePush(push(undefined, "bob@example.org", "remove"))).toBe(true);
    expect(roster.items().map((item) => item.jid)).toEqual(["carol@example.org"]);
    expect(changes.at(-1)).toEqual({ upserted: [], removed: ["bob@example.org"], reset: false });
  });

  it("ignores a push from anyone else, changing nothing", () => {
    const { roster, changes } = setup();
    expect(roster.handlePush(push("mallory@evil.example", "mallory@evil.example", "both"))).toBe(
      false,
    );
    expect(roster.handlePush(push(`${ACCOUNT}/other`, "mallory@evil.example", "both"))).toBe(false);
    expect(roster.items()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it("tracks incoming requests once each, and drops withdrawn ones", () => {
    const { roster, requests, resolved } = setup();
    roster.handleSubscription("bob@example.org", "subscribe");
    roster.handleSubscription("bob@example.org", "subscribe");
    roster.handleSubscription("carol@example.org", "subscribe");
    roster.handleSubscription(ACCOUNT, "subscribe");
    expect(roster.requests()).toEqual(["bob@example.org", "carol@example.org"]);
    expect(requests).toEqual(["bob@example.org", "carol@example.org"]);

    roster.handleSubscription("carol@example.org", "unsubscribe");
    expect(roster.requests()).toEqual(["bob@example.org"]);
    expect(resolved).toEqual(["carol@example.org"]);
  });

  it("add sets the roster item and asks for their presence", async () => {
    const { roster, sent } = setup();
    await roster.add("bob@example.org", "Bob");
    expect(sent).toEqual([
      '<iq type="set"><query xmlns="jabber:iq:roster"><item jid="bob@example.org" name="Bob"/></query></iq>',
      '<presence type="subscribe" to="bob@example.org"/>',
    ]);
  });

  it("approve answers subscribed and asks back when we do not see them yet", async () => {
    const { roster, sent, resolved } = setup();
    roster.handleSubscription("bob@example.org", "subscribe");
    await roster.approve("bob@example.org");
    expect(sent).toEqual([
      '<presence type="subscribed" to="bob@example.org"/>',
      '<presence type="subscribe" to="bob@example.org"/>',
    ]);
    expect(roster.requests()).toEqual([]);
    expect(resolved).toEqual(["bob@example.org"]);
  });

  it("approve does not ask back when we already see them or already asked", async () => {
    const { roster, sent } = setup([
      { jid: "bob@example.org", subscription: "to" },
      { jid: "carol@example.org", ask: "subscribe" },
    ]);
    await roster.fetch();
    sent.length = 0;
    await roster.approve("bob@example.org");
    await roster.approve("carol@example.org");
    expect(sent).toEqual([
      '<presence type="subscribed" to="bob@example.org"/>',
      '<presence type="subscribed" to="carol@example.org"/>',
    ]);
  });

  it("deny answers unsubscribed and resolves the request", async () => {
    const { roster, sent, resolved } = setup();
    roster.handleSubscription("bob@example.org", "subscribe");
    await roster.deny("bob@example.org");
    expect(sent).toEqual(['<presence type="unsubscribed" to="bob@example.org"/>']);
    expect(roster.requests()).toEqual([]);
    expect(resolved).toEqual(["bob@example.org"]);
  });
});

describe("what strangers can make the roster keep", () => {
  it("keeps at most maxRequests subscription requests, resolving the oldest to make room", () => {
    const requests: string[] = [];
    const resolved: string[] = [];
    const { outbox } = fakeOutbox();
    const roster = new Roster({
      account: ACCOUNT,
      outbox: () => outbox,
      onChange: () => {},
      onRequest: (jid) => requests.push(jid),
      onRequestResolved: (jid) => resolved.push(jid),
      maxRequests: 2,
    });
    for (let i = 0; i < 4; i++) roster.handleSubscription(`s${i}@spam.example`, "subscribe");
    expect(roster.requests()).toEqual(["s2@spam.example", "s3@spam.example"]);
    expect(resolved).toEqual(["s0@spam.example", "s1@spam.example"]);
    expect(requests).toHaveLength(4);
  });
});
