import { xml } from "@xmpp/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AccountState } from "../../main/core/account-state";
import type { XmppSession } from "../../main/core/session-api";
import { NS_CARBONS } from "../../main/core/stanzas/carbons";
import type { Logger } from "../../main/shared/log";
import { collect, eventually, nextEvent, sessionPool } from "./helpers";
import { rawClient } from "./raw-client";
import { registerAccount, type TestAccount } from "./setup/accounts";

const server = inject("xmpp");
const pool = sessionPool();

describe("message carbons against Prosody", () => {
  let alice: TestAccount;
  let bob: TestAccount;
  let desk: XmppSession;
  let phone: XmppSession;
  let phoneState: AccountState;
  let b: XmppSession;
  /** What Alice's Wrens warned about. */
  const warnings: string[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (message) => void warnings.push(message),
    error() {},
  };

  beforeAll(async () => {
    [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    // Alice on two devices, each with the state of its own Wren.
    phoneState = new AccountState({ jid: alice.jid, log });
    desk = await pool.signIn(alice, {
      resource: "desk",
      state: new AccountState({ jid: alice.jid, log }),
    });
    phone = await pool.signIn(alice, { resource: "phone", state: phoneState });
    b = await pool.signIn(bob);
  });
  afterAll(() => pool.stopAll());

  it("enables carbons when signing in, since the server offers them", () => {
    expect(phoneState.disco.serverSupports(NS_CARBONS)).toBe(true);
    expect(phoneState.carbons.enabled).toBe(true);
  });

  it("shows on the other device what Bob sent to one of them, as a message from Bob", async () => {
    const atDesk = collect(desk);
    const atPhone = nextEvent(phone, "message", (message) => message.body === "to your desk");
    await b.sendMessage(`${alice.jid}/desk`, "to your desk");

    const [copy] = await atPhone;
    expect(copy).toMatchObject({ peer: bob.jid, direction: "in", body: "to your desk" });
    await eventually(() => atDesk.length > 0, "the message at the desk");
    expect(atDesk).toEqual([expect.objectContaining({ peer: bob.jid, body: "to your desk" })]);
  });

  it("records on the other device what Alice wrote on one, as her own message to Bob", async () => {
    const atPhone = nextEvent(phone, "message", (message) => message.body === "from my desk");
    const atBob = nextEvent(b, "message", (message) => message.body === "from my desk");
    await desk.sendMessage(bob.jid, "from my desk");

    const [copy] = await atPhone;
    expect(copy).toMatchObject({ peer: bob.jid, direction: "out", body: "from my desk" });
    await atBob;
    const history = await phone.history(bob.jid, {}, 100);
    expect(history.map((m) => [m.direction, m.body])).toEqual([
      ["in", "to your desk"],
      ["out", "from my desk"],
    ]);
  });

  it("ignores carbons Bob forges, received and sent alike", async () => {
    const raw = await rawClient(bob, "raw");
    const atDesk = collect(desk);
    const atPhone = collect(phone);
    try {
      const forged = (kind: "received" | "sent", inner: Record<string, string>, text: string) =>
        xml(
          "message",
          { to: alice.jid, type: "chat" },
          xml(
            kind,
            { xmlns: NS_CARBONS },
            xml(
              "forwarded",
              { xmlns: "urn:xmpp:forward:0" },
              xml("message", { type: "chat", ...inner }, xml("body", {}, text)),
            ),
          ),
        );
      await raw.send(
        forged("received", { from: "someone@else.example/x", to: alice.jid }, "forged in"),
      );
      await raw.send(
        forged("sent", { from: `${alice.jid}/desk`, to: "someone@else.example" }, "forged out"),
      );
      // Sent after the forgeries, by the same sender: once it has come, so have they.
      await raw.send(xml("message", { to: alice.jid, type: "chat" }, xml("body", {}, "marker")));
      await eventually(
        () => [atDesk, atPhone].every((seen) => seen.some((m) => m.body === "marker")),
        "Bob's marker at both devices",
      );

      // Both forgeries reached both devices, and were dropped there.
      expect(warnings).toEqual(
        Array(4).fill("ignored a carbon copy that did not come from our own account"),
      );
      for (const seen of [atDesk, atPhone]) {
        expect(seen.map((m) => [m.peer, m.body])).toEqual([[bob.jid, "marker"]]);
      }
      for (const session of [desk, phone]) {
        expect(await session.history("someone@else.example", {}, 100)).toEqual([]);
      }
    } finally {
      await raw.stop().catch(() => {});
    }
  });
});
