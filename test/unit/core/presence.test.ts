import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { bestResource, PresenceBook } from "../../../main/core/features/presence-book";
import {
  buildPresence,
  buildSubscription,
  parsePresence,
  parsePriority,
  type PresenceUpdate,
} from "../../../main/core/stanzas/presence";

const ACCOUNT = "alice@example.org";

describe("parsePresence", () => {
  it("reads an available presence", () => {
    const stanza = xml(
      "presence",
      { from: "Bob@example.org/phone" },
      xml("show", {}, "away"),
      xml("status", {}, "Lunch <brb>"),
      xml("priority", {}, "5"),
    );
    expect(parsePresence(stanza)).toEqual({
      kind: "available",
      jid: "bob@example.org",
      resource: "phone",
      show: "away",
      status: "Lunch <brb>",
      priority: 5,
    });
  });

  it("treats a missing or unknown show as online", () => {
    expect(parsePresence(xml("presence", { from: "bob@example.org/a" }))).toMatchObject({
      show: "online",
      status: "",
      priority: 0,
    });
    const odd = xml("presence", { from: "bob@example.org/a" }, xml("show", {}, "sleeping"));
    expect(parsePresence(odd)).toMatchObject({ show: "online" });
  });

  it("reads unavailable and subscription types", () => {
    expect(
      parsePresence(xml("presence", { from: "bob@example.org/a", type: "unavailable" })),
    ).toEqual({
      kind: "unavailable",
      jid: "bob@example.org",
      resource: "a",
    });
    expect(parsePresence(xml("presence", { from: "bob@example.org", type: "subscribe" }))).toEqual({
      kind: "subscription",
      jid: "bob@example.org",
      type: "subscribe",
    });
  });

  it("ignores errors, probes, unknown types and presences without a sender", () => {
    expect(parsePresence(xml("presence", { from: "bob@example.org/a", type: "error" }))).toBeNull();
    expect(parsePresence(xml("presence", { from: "bob@example.org", type: "probe" }))).toBeNull();
    expect(parsePresence(xml("presence", { from: "bob@example.org", type: "weird" }))).toBeNull();
    expect(parsePresence(xml("presence", {}))).toBeNull();
    expect(parsePresence(xml("message", { from: "bob@example.org" }))).toBeNull();
  });

  it("reads priorities within -128..127 only", () => {
    expect(parsePriority("-1")).toBe(-1);
    expect(parsePriority(" 127 ")).toBe(127);
    expect(parsePriority("128")).toBe(0);
    expect(parsePriority("1.5")).toBe(0);
    expect(parsePriority("high")).toBe(0);
    expect(parsePriority(null)).toBe(0);
  });
});

describe("presence builders", () => {
  it("leaves show out for online and escapes the status", () => {
    expect(buildPresence("online", "").toString()).toBe("<presence/>");
    expect(buildPresence("dnd", "Busy & <focused>").toString()).toBe(
      "<presence><show>dnd</show><status>Busy &amp; &lt;focused&gt;</status></presence>",
    );
    expect(buildSubscription("subscribed", "bob@example.org").toString()).toBe(
      '<presence type="subscribed" to="bob@example.org"/>',
    );
  });
});

function available(
  resource: string,
  show: "chat" | "online" | "away" | "xa" | "dnd",
  priority = 0,
  jid = "bob@example.org",
): PresenceUpdate {
  return { kind: "available", jid, resource, show, status: `${resource} status`, priority };
}

describe("best presence", () => {
  it("prefers the highest priority", () => {
    expect(
      bestResource([
        { resource: "a", show: "chat", status: "", priority: 0 },
        { resource: "b", show: "dnd", status: "", priority: 1 },
      ])?.resource,
    ).toBe("b");
  });

  it("then the most available show", () => {
    const order = ["dnd", "xa", "away", "online", "chat"] as const;
    for (let i = 1; i < order.length; i++) {
      const best = bestResource([
        { resource: "less", show: order[i - 1]!, status: "", priority: 0 },
        { resource: "more", show: order[i]!, status: "", priority: 0 },
      ]);
      expect(best?.resource, `${order[i]} over ${order[i - 1]}`).toBe("more");
    }
  });

  it("then the most recent one", () => {
    const book = new PresenceBook(ACCOUNT);
    book.apply(available("first", "online"));
    book.apply(available("second", "online"));
    expect(book.contact("bob@example.org").best?.resource).toBe("second");
    book.apply(available("first", "online"));
    expect(book.contact("bob@example.org").best?.resource).toBe("first");
  });

  it("is null with no resources", () => {
    expect(bestResource([])).toBeNull();
  });
});

describe("PresenceBook", () => {
  it("tracks resources and reports only real changes", () => {
    const book = new PresenceBook(ACCOUNT);
    expect(book.apply(available("phone", "away"))).toEqual({
      jid: "bob@example.org",
      best: { resource: "phone", show: "away", status: "phone status", priority: 0 },
      resourceCount: 1,
    });
    // The same presence again changes nothing we show.
    expect(book.apply(available("phone", "away"))).toBeNull();

    const second = book.apply(available("desk", "online"));
    expect(second?.resourceCount).toBe(2);
    expect(second?.best?.resource).toBe("desk");

    const gone = book.apply({ kind: "unavailable", jid: "bob@example.org", resource: "desk" });
    expect(gone?.resourceCount).toBe(1);
    expect(gone?.best?.resource).toBe("phone");

    const offline = book.apply({ kind: "unavailable", jid: "bob@example.org", resource: "phone" });
    expect(offline).toEqual({ jid: "bob@example.org", best: null, resourceCount: 0 });
    expect(book.all()).toEqual([]);
  });

  it("unavailable from the bare JID removes every resource", () => {
    const book = new PresenceBook(ACCOUNT);
    book.apply(available("a", "online"));
    book.apply(available("b", "online"));
    expect(book.apply({ kind: "unavailable", jid: "bob@example.org", resource: "" })).toEqual({
      jid: "bob@example.org",
      best: null,
      resourceCount: 0,
    });
  });

  it("ignores unavailable for someone unknown", () => {
    const book = new PresenceBook(ACCOUNT);
    expect(book.apply({ kind: "unavailable", jid: "x@example.org", resource: "r" })).toBeNull();
  });

  it("ignores our own other resources", () => {
    const book = new PresenceBook(ACCOUNT);
    expect(book.apply(available("laptop", "online", 0, ACCOUNT))).toBeNull();
    expect(book.all()).toEqual([]);
  });

  it("clear reports every contact as offline", () => {
    const book = new PresenceBook(ACCOUNT);
    book.apply(available("a", "online"));
    book.apply(available("a", "online", 0, "carol@example.org"));
    expect(book.clear()).toEqual([
      { jid: "bob@example.org", best: null, resourceCount: 0 },
      { jid: "carol@example.org", best: null, resourceCount: 0 },
    ]);
    expect(book.all()).toEqual([]);
  });
});

describe("what strangers can make the presence book keep", () => {
  it("keeps at most maxStrangers JIDs outside the roster, dropping the oldest as offline", () => {
    const contacts = new Set(["bob@example.org"]);
    const book = new PresenceBook(ACCOUNT, (jid) => contacts.has(jid), { maxStrangers: 3 });
    book.applyAll(available("phone", "online", 0, "bob@example.org"));
    const dropped: string[] = [];
    for (let i = 0; i < 6; i++) {
      for (const change of book.applyAll(available("x", "online", 0, `s${i}@spam.example`))) {
        if (change.best === null) dropped.push(change.jid);
      }
    }
    expect(dropped).toEqual(["s0@spam.example", "s1@spam.example", "s2@spam.example"]);
    expect(book.all().map((contact) => contact.jid)).toEqual([
      "bob@example.org",
      "s3@spam.example",
      "s4@spam.example",
      "s5@spam.example",
    ]);
  });

  it("keeps at most maxResources resources per JID, dropping the one that spoke least recently", () => {
    const book = new PresenceBook(ACCOUNT, () => true, { maxResources: 2 });
    book.applyAll(available("a", "online"));
    book.applyAll(available("b", "online"));
    book.applyAll(available("a", "away")); // a spoke again: b is now the oldest
    book.applyAll(available("c", "online"));
    expect(book.contact("bob@example.org").resourceCount).toBe(2);
    book.applyAll({ kind: "unavailable", jid: "bob@example.org", resource: "a" });
    expect(book.contact("bob@example.org").best?.resource).toBe("c");
  });
});
