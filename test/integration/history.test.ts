import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAccountManager, type AccountManager } from "../../main/accounts/account-manager";
import { createSession } from "../../main/core/account-runtime";
import type { CredentialStore } from "../../main/credentials/credential-store";
import { createMemoryStore } from "../../main/credentials/memory-store";
import { openingStore, type OpeningStore } from "../../main/store/opening-store";
import { eventually, sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";

// Conversations that last: what an account received and sent is in the database, and a fresh
// start over the same folder (as after quitting Wren) shows it again, in order, under the same ids.

const server = inject("xmpp");
const pool = sessionPool();

describe("history kept on disk", () => {
  let dir: string;
  let alice: TestAccount;
  let bob: TestAccount;
  // Passwords survive the restart as a keychain would keep them.
  const keychain: CredentialStore = { ...createMemoryStore(), kind: "keychain" };

  const start = (): { manager: AccountManager; store: OpeningStore } => {
    const store = openingStore({ path: join(dir, "history.sqlite") });
    const manager = createAccountManager({
      settingsPath: join(dir, "accounts.json"),
      credentials: keychain,
      createSession,
      history: store.history,
      removeLocalData: (accountId) => store.deleteAccount(accountId),
    });
    return { manager, store };
  };
  const stop = async ({ manager, store }: { manager: AccountManager; store: OpeningStore }) => {
    await manager.dispose();
    await store.close();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-history-it-"));
    [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
  });
  afterAll(async () => {
    await pool.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a conversation across a restart, in order and under the same ids", async () => {
    const first = start();
    await first.manager.load();
    const added = await first.manager.add({
      jid: alice.jid,
      password: alice.password,
      host: server.host,
      port: server.c2sPort,
      directTls: false,
      savePassword: true,
    });
    const arrived: string[] = [];
    first.manager.on("message", ({ message }) => arrived.push(message.body));

    const b = await pool.signIn(bob);
    for (const body of ["one", "two", "three"]) await b.sendMessage(alice.jid, body);
    await eventually(() => arrived.includes("three"), "Alice to get Bob's messages");
    await first.manager.session(added.id)!.sendMessage(bob.jid, "and back");
    const before = await first.manager.state(added.id)!.chat.history(bob.jid, {}, 50);
    await stop(first);

    const second = start();
    expect(await second.manager.load()).toEqual({ needPassword: [] });
    try {
      const after = await second.manager.state(added.id)!.chat.history(bob.jid, {}, 50);
      expect(after.map((m) => [m.direction, m.body])).toEqual([
        ["in", "one"],
        ["in", "two"],
        ["in", "three"],
        ["out", "and back"],
      ]);
      // The same messages under the same ids; Bob's receipt may have moved "and back" on since.
      const withoutState = (messages: typeof before) =>
        messages.map(({ state: _, ...rest }) => rest);
      expect(withoutState(after)).toEqual(withoutState(before));
      expect(["sent", "acked", "delivered"]).toContain(after.at(-1)?.state);

      // Removing the account deletes what was kept for it.
      await second.manager.remove(added.id);
      const third = openingStore({ path: join(dir, "history.sqlite") });
      expect(
        await third.history.page({ accountId: added.id, conversation: bob.jid, limit: 50 }),
      ).toEqual([]);
      await third.close();
    } finally {
      await stop(second);
    }
  });
});
