import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AccountState } from "../../main/core/account-state";
import { sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";

const server = inject("xmpp");
const pool = sessionPool();

describe("service discovery against Prosody", () => {
  let alice: TestAccount;
  let bob: TestAccount;
  let aliceState: AccountState;
  let bobState: AccountState;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    aliceState = new AccountState({ jid: alice.jid });
    bobState = new AccountState({ jid: bob.jid });
    await pool.signIn(alice, { resource: "desk", state: aliceState });
    await pool.signIn(bob, { state: bobState });
  });
  afterAll(() => pool.stopAll());

  it("learns what the server supports when a session starts", () => {
    expect(aliceState.disco.serverSupports("urn:xmpp:ping")).toBe(true);
    expect(aliceState.disco.serverSupports("urn:xmpp:not-a-thing:0")).toBe(false);
  });

  it("answers another client's disco#info with Wren's real features, and its caps node", async () => {
    const info = await bobState.disco.infoOf(`${alice.jid}/desk`);
    expect(info?.identities).toContainEqual(
      expect.objectContaining({ category: "client", type: "pc", name: "Wren" }),
    );
    expect(info?.features).toEqual(
      expect.arrayContaining([
        "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/caps",
        "urn:xmpp:ping",
      ]),
    );
    expect(await bobState.disco.supports(`${alice.jid}/desk`, "urn:xmpp:ping")).toBe(true);
  });
});
