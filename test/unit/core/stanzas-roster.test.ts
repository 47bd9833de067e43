import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import {
  buildRosterGet,
  buildRosterSet,
  parseRosterItem,
  parseRosterPush,
  parseRosterResult,
} from "../../../main/core/stanzas/roster";

const ACCOUNT = "alice@example.org";

function push(attrs: Record<string, string>, ...items: ReturnType<typeof xml>[]) {
  return xml(
    "iq",
    { type: "set", id: "p1", ...attrs },
    xml("query", { xmlns: "jabber:iq:roster" }, ...items),
  );
}

describe("roster items", () => {
  it("reads jid, name, groups, subscription and ask", () => {
    const item = xml(
      "item",
      { jid: "Bob@Example.org", name: "Bob", subscription: "both", ask: "subscribe" },
      xml("group", {}, "Friends"),
      xml("group", {}, "Friends"),
      xml("group", {}, " Work "),
    );
    expect(parseRosterItem(item)).toEqual({
      jid: "bob@example.org",
      name: "Bob",
      groups: ["Friends", "Work"],
      subscription: "both",
      pendingOut: true,
    });
  });

  it("defaults missing or unknown subscriptions to none", () => {
    expect(parseRosterItem(xml("item", { jid: "bob@example.org" }))).toMatchObject({
      name: "",
      subscription: "none",
      pendingOut: false,
    });
    expect(
      parseRosterItem(xml("item", { jid: "bob@example.org", subscription: "owner" }))?.subscription,
    ).toBe("none");
  });

  it("rejects items without a JID or with a full JID", () => {
    expect(parseRosterItem(xml("item", { name: "nobody" }))).toBeNull();
    expect(parseRosterItem(xml("item", { jid: "bob@example.org/phone" }))).toBeNull();
    expect(parseRosterItem(xml("item", { jid: "a@b@c" }))).toBeNull();
  });

  it("reads a roster result and skips unusable items", () => {
    const result = xml(
      "iq",
      { type: "result" },
      xml(
        "query",
        { xmlns: "jabber:iq:roster" },
        xml("item", { jid: "bob@example.org", subscription: "to" }),
        xml("item", {}),
        xml("item", { jid: "carol@example.org" }),
      ),
    );
    expect(parseRosterResult(result).map((item) => item.jid)).toEqual([
      "bob@example.org",
      "carol@example.org",
    ]);
    expect(parseRosterResult(xml("iq", { type: "result" }))).toEqual([]);
  });
});

describe("roster pushes (RFC 6121 §2.1.6)", () => {
  const item = () => xml("item", { jid: "bob@example.org", subscription: "from" });

  it("accepts a push without from", () => {
    expect(parseRosterPush(push({}, item()), ACCOUNT)?.jid).toBe("bob@example.org");
  });

  it("accepts a push from the account's bare JID, in any letter case", () => {
    expect(parseRosterPush(push({ from: "Alice@EXAMPLE.org" }, item()), ACCOUNT)).not.toBeNull();
  });

  it.each([
    ["a contact", "mallory@evil.example"],
    ["a contact's full JID", "mallory@evil.example/x"],
    ["our own full JID", "alice@example.org/phone"],
    ["our server's domain", "example.org"],
    ["garbage", "@@@"],
  ])("ignores a push from %s", (_, from) => {
    expect(parseRosterPush(push({ from }, item()), ACCOUNT)).toBeNull();
  });

  it("ignores pushes with zero or several items, and non-set iqs", () => {
    expect(parseRosterPush(push({}), ACCOUNT)).toBeNull();
    expect(parseRosterPush(push({}, item(), item()), ACCOUNT)).toBeNull();
    const get = xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" }, item()));
    expect(parseRosterPush(get, ACCOUNT)).toBeNull();
  });

  it("reads subscription=remove", () => {
    const remove = xml("item", { jid: "bob@example.org", subscription: "remove" });
    expect(parseRosterPush(push({}, remove), ACCOUNT)?.subscription).toBe("remove");
  });
});

describe("roster builders", () => {
  it("builds the roster get", () => {
    expect(buildRosterGet().toString()).toBe(
      '<iq type="get"><query xmlns="jabber:iq:roster"/></iq>',
    );
  });

  it("builds a roster set, escaping what a person typed", () => {
    expect(buildRosterSet("bob@example.org", 'Bob "<the builder>"', ["A&B"]).toString()).toBe(
      '<iq type="set"><query xmlns="jabber:iq:roster"><item jid="bob@example.org" name="Bob &quot;&lt;the builder&gt;&quot;"><group>A&amp;B</group></item></query></iq>',
    );
    expect(buildRosterSet("bob@example.org").toString()).toBe(
      '<iq type="set"><query xmlns="jabber:iq:roster"><item jid="bob@example.org"/></query></iq>',
    );
  });
});
