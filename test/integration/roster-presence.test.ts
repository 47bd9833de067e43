import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { XmppSession } from "../../main/core/session-api";
import { nextEvent, sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";

const server = inject("xmpp");
const pool = sessionPool();

describe("subscription flow and presence between two accounts", () => {
  let alice: TestAccount;
  let bob: TestAccount;
  let a: XmppSession;
  let b: XmppSession;

  beforeAll(async () => {
    alice = await registerAccount(server.configPath);
    bob = await registerAccount(server.configPath);
    a = await pool.signIn(alice);
    b = await pool.signIn(bob, { directTls: true });
  });
  afterAll(() => pool.stopAll());

  it("A adds B: A's roster shows B pending, B sees the request", async () => {
    const requestSeen = nextEvent(b, "subscriptionRequest", (jid) => jid === alice.jid);
    const pushed = nextEvent(a, "roster", (change) =>
      change.upserted.some((item) => item.jid === bob.jid && item.pendingOut),
    );

    await a.addContact(bob.jid, "Bob");
    await Promise.all([requestSeen, pushed]);

    expect(a.rosterItems()).toEqual([
      { jid: bob.jid, name: "Bob", groups: [], subscription: "none", pendingOut: true },
    ]);
    expect(b.subscriptionRequests()).toEqual([alice.jid]);
  });

  it("B approves: both rosters update, B asks back, and A sees B online", async () => {
    const aSeesTo = nextEvent(a, "roster", (change) =>
      change.upserted.some((item) => item.jid === bob.jid && item.subscription === "to"),
    );
    const aSeesBob = nextEvent(a, "presence", (contacts) =>
      contacts.some((contact) => contact.jid === bob.jid && contact.best !== null),
    );
    const bobAsksBack = nextEvent(a, "subscriptionRequest", (jid) => jid === bob.jid);
    const resolved = nextEvent(b, "subscriptionRequestResolved", (jid) => jid === alice.jid);
    const bSeesFrom = nextEvent(b, "roster", (change) =>
      change.upserted.some(
        (item) => item.jid === alice.jid && item.subscription === "from" && item.pendingOut,
      ),
    );

    await b.approveSubscription(alice.jid);
    await Promise.all([aSeesTo, aSeesBob, bobAsksBack, resolved, bSeesFrom]);

    expect(b.subscriptionRequests()).toEqual([]);
    expect(a.subscriptionRequests()).toEqual([bob.jid]);
    const bobPresence = a.contactPresences().find((contact) => contact.jid === bob.jid);
    expect(bobPresence).toMatchObject({ resourceCount: 1, best: { show: "online", status: "" } });
  });

  it("A approves back: the subscription is mutual and B sees A", async () => {
    const bSeesBoth = nextEvent(b, "roster", (change) =>
      change.upserted.some((item) => item.jid === alice.jid && item.subscription === "both"),
    );
    const aSeesBoth = nextEvent(a, "roster", (change) =>
      change.upserted.some((item) => item.jid === bob.jid && item.subscription === "both"),
    );
    const bSeesAlice = nextEvent(b, "presence", (contacts) =>
      contacts.some((contact) => contact.jid === alice.jid && contact.best !== null),
    );

    await a.approveSubscription(bob.jid);
    await Promise.all([bSeesBoth, aSeesBoth, bSeesAlice]);

    expect(a.rosterItems().find((item) => item.jid === bob.jid)?.subscription).toBe("both");
    expect(b.rosterItems().find((item) => item.jid === alice.jid)?.subscription).toBe("both");
  });

  it("B goes away with a status text; A sees it", async () => {
    const seen = nextEvent(a, "presence", (contacts) =>
      contacts.some((contact) => contact.jid === bob.jid && contact.best?.show === "away"),
    );
    const own = nextEvent(b, "ownPresence");

    await b.setPresence("away", "In a meeting");
    const [[ownPresence], [contacts]] = await Promise.all([own, seen]);

    expect(ownPresence).toEqual({ show: "away", status: "In a meeting" });
    expect(b.ownPresence()).toEqual({ show: "away", status: "In a meeting" });
    expect(contacts.find((contact) => contact.jid === bob.jid)?.best).toMatchObject({
      show: "away",
      status: "In a meeting",
      priority: 0,
    });
  });

  it("B's second resource with a higher priority becomes the one A sees", async () => {
    const seen = nextEvent(a, "presence", (contacts) =>
      contacts.some((contact) => contact.jid === bob.jid && contact.best?.resource === "desk"),
    );
    const desk = await pool.signIn(bob, { resource: "desk", priority: 7 });
    const [contacts] = await seen;
    expect(contacts.find((contact) => contact.jid === bob.jid)).toMatchObject({
      best: { resource: "desk", show: "online", priority: 7 },
      resourceCount: 2,
    });
    await desk.stop();
  });

  it("B signs out; A sees B offline", async () => {
    const seen = nextEvent(a, "presence", (contacts) =>
      contacts.some((contact) => contact.jid === bob.jid && contact.best === null),
    );
    await b.stop();
    await seen;
    expect(a.contactPresences().find((contact) => contact.jid === bob.jid)).toBeUndefined();
  });
});

describe("denying a request", () => {
  afterAll(() => pool.stopAll());

  it("answers unsubscribed: the asker stays without subscription, the request is gone", async () => {
    const dana = await registerAccount(server.configPath);
    const eve = await registerAccount(server.configPath);
    const d = await pool.signIn(dana);
    const e = await pool.signIn(eve);

    const asked = nextEvent(d, "subscriptionRequest", (jid) => jid === eve.jid);
    await e.addContact(dana.jid);
    await asked;

    const refused = nextEvent(e, "roster", (change) =>
      change.upserted.some(
        (item) => item.jid === dana.jid && !item.pendingOut && item.subscription === "none",
      ),
    );
    const resolved = nextEvent(d, "subscriptionRequestResolved", (jid) => jid === eve.jid);
    await d.denySubscription(eve.jid);
    await Promise.all([refused, resolved]);

    expect(d.subscriptionRequests()).toEqual([]);
    expect(d.rosterItems()).toEqual([]);
    expect(e.contactPresences()).toEqual([]);
  });
});
