import { describe, expect, it, vi } from "vitest";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { MESSAGE_WINDOW } from "../../renderer/lib/state/conversations.svelte";
import {
  account,
  createFakeApi,
  fail,
  ME,
  message,
  ok,
  onlineSnapshot,
  presence,
  rosterItem,
  twoAccountSnapshot,
  WORK,
} from "./fake-api";

/** A started app; the person looks at the window unless `attentive` says otherwise. */
async function startedApp(snapshot = onlineSnapshot(), attentive = () => true) {
  const api = createFakeApi(snapshot);
  const app = new WrenApp(api, { attentive });
  await app.start();
  return { api, app };
}

describe("WrenApp", () => {
  it("applies the snapshot and subscribes to events", async () => {
    const { api, app } = await startedApp(
      onlineSnapshot({
        roster: [rosterItem("a@x.org", "A"), rosterItem("b@x.org", "B")],
        presence: [presence("b@x.org", "online")],
        subscriptionRequests: ["stranger@x.org"],
        ownPresence: { show: "dnd", status: "In a meeting" },
      }),
    );
    expect(api.listenerCount()).toBe(1);
    expect(app.accounts.list.map((a) => a.jid)).toEqual(["me@example.org"]);
    expect(app.roster.contacts.map((c) => c.jid)).toEqual(["b@x.org", "a@x.org"]);
    expect(app.accounts.requests).toEqual([{ accountId: ME, jid: "stranger@x.org" }]);
    expect(app.accounts.ownPresence(ME)).toEqual({ show: "dnd", status: "In a meeting" });
  });

  it("rejects with the envelope's message when the snapshot fails", async () => {
    const api = createFakeApi();
    api.snapshot = async () => fail("Main is not ready.");
    await expect(new WrenApp(api).start()).rejects.toThrow("Main is not ready.");
    expect(api.listenerCount()).toBe(0);
  });

  it("applies a whole batch of mixed events in one go", async () => {
    const { api, app } = await startedApp();
    const before = app.roster.contacts;
    api.emit([
      {
        type: "roster",
        accountId: ME,
        upserted: [rosterItem("a@x.org"), rosterItem("b@x.org")],
        removed: [],
        reset: true,
      },
      { type: "presence", accountId: ME, contacts: [presence("b@x.org", "chat", "Talk to me")] },
      { type: "subscription-request", accountId: ME, jid: "c@x.org" },
      { type: "subscription-request", accountId: ME, jid: "d@x.org" },
      { type: "subscription-request-resolved", accountId: ME, jid: "c@x.org" },
      { type: "own-presence", accountId: ME, show: "away", status: "Lunch" },
      {
        type: "messages",
        accountId: ME,
        messages: [message("a@x.org", "hi"), message("a@x.org", "there")],
      },
    ]);
    expect(app.roster.contacts).not.toBe(before);
    expect(app.roster.contacts.map((c) => c.jid)).toEqual(["b@x.org", "a@x.org"]);
    expect(app.roster.contact(ME, "b@x.org")?.presence?.best?.status).toBe("Talk to me");
    expect(app.accounts.requests).toEqual([{ accountId: ME, jid: "d@x.org" }]);
    expect(app.accounts.ownPresence(ME)).toEqual({ show: "away", status: "Lunch" });
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(2);
    expect(app.conversations.totalUnread).toBe(2);
  });

  it("counts unread incoming messages only for conversations not being read, and marks read", async () => {
    const { api, app } = await startedApp();
    app.openConversation(ME, "a@x.org");
    await vi.waitFor(() => expect(app.conversations.selected?.historyLoaded).toBe(true));
    const seen = message("a@x.org", "seen");
    api.emit([
      {
        type: "messages",
        accountId: ME,
        messages: [
          seen,
          message("b@x.org", "unseen"),
          message("b@x.org", "mine", { direction: "out" }),
        ],
      },
    ]);
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(0);
    expect(api.markRead).toHaveBeenCalledWith({ accountId: ME, peer: "a@x.org", upTo: seen.id });
    expect(app.conversations.unreadFor(ME, "b@x.org")).toBe(1);
    app.openConversation(ME, "b@x.org");
    await vi.waitFor(() => expect(app.conversations.unreadFor(ME, "b@x.org")).toBe(0));
    expect(app.conversations.totalUnread).toBe(0);
  });

  it("does not count a message twice when it arrives again", async () => {
    const { api, app } = await startedApp();
    const m = message("a@x.org", "once");
    api.emit([{ type: "messages", accountId: ME, messages: [m] }]);
    api.emit([{ type: "messages", accountId: ME, messages: [m] }]);
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(1);
    expect(app.conversations.thread(ME, "a@x.org").messages).toHaveLength(1);
  });

  it("keeps only messages from events that raced the snapshot", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("a@x.org", "A")] }));
    const app = new WrenApp(api);
    api.snapshot = async () => {
      // Delivered before the reply, so already part of the snapshot — except the message.
      api.emit([
        { type: "roster", accountId: ME, upserted: [], removed: ["a@x.org"], reset: false },
        { type: "messages", accountId: ME, messages: [message("a@x.org", "early")] },
      ]);
      return ok(onlineSnapshot({ roster: [rosterItem("a@x.org", "A")] }));
    };
    await app.start();
    expect(app.roster.size).toBe(1);
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(1);
  });

  it("applies account events: added, changed (state and error), removed", async () => {
    const { api, app } = await startedApp(
      onlineSnapshot({ roster: [rosterItem("a@x.org")], subscriptionRequests: ["r@x.org"] }),
    );
    app.openConversation(ME, "a@x.org");
    api.emit([
      {
        type: "account",
        account: account(WORK, "me@work.example", {
          state: {
            state: "connecting",
            jid: "me@work.example",
            error: null,
          },
        }),
      },
      {
        type: "roster",
        accountId: WORK,
        upserted: [rosterItem("a@x.org")],
        removed: [],
        reset: true,
      },
    ]);
    expect(app.accounts.list.map((a) => a.id)).toEqual([ME, WORK]);
    expect(app.roster.accountsOf("a@x.org")).toEqual([ME, WORK]);
    expect(app.roster.size).toBe(2);

    const error = { code: "auth-failed" as const, message: "Wrong password." };
    api.emit([
      {
        type: "account",
        account: account(WORK, "me@work.example", {
          state: { state: "error", jid: "me@work.example", error },
        }),
      },
    ]);
    expect(app.accounts.get(WORK)?.state.error).toEqual(error);

    api.emit([{ type: "account-removed", accountId: ME }]);
    expect(app.accounts.list.map((a) => a.id)).toEqual([WORK]);
    expect(app.roster.contacts.map((c) => c.accountId)).toEqual([WORK]);
    expect(app.accounts.requests).toEqual([]);
    expect(app.conversations.selected).toBeNull();
  });

  it("keeps each account's conversation with the same peer apart", async () => {
    const { api, app } = await startedApp(twoAccountSnapshot());
    api.emit([
      { type: "messages", accountId: ME, messages: [message("a@x.org", "to me")] },
      { type: "messages", accountId: WORK, messages: [message("a@x.org", "to work")] },
    ]);
    expect(app.conversations.thread(ME, "a@x.org").messages.map((m) => m.body)).toEqual(["to me"]);
    expect(app.conversations.thread(WORK, "a@x.org").messages.map((m) => m.body)).toEqual([
      "to work",
    ]);
    expect(app.conversations.totalUnread).toBe(2);
    app.openConversation(WORK, "a@x.org");
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(1);
  });

  it("asks which account to chat from when several have the contact, and remembers", async () => {
    const both = { roster: [rosterItem("a@x.org", "A")] };
    const { app } = await startedApp(twoAccountSnapshot(both, both));
    app.startChat("a@x.org");
    expect(app.choice).toEqual({ jid: "a@x.org", accountIds: [ME, WORK] });
    expect(app.conversations.selected).toBeNull();
    app.chooseAccount(WORK);
    expect(app.choice).toBeNull();
    expect(app.conversations.selected?.accountId).toBe(WORK);

    app.conversations.select(null);
    app.startChat("a@x.org");
    expect(app.choice).toBeNull();
    expect(app.conversations.selected?.accountId).toBe(WORK);
  });

  it("records the credential store chosen, since main sends no event for it", async () => {
    const snapshot = onlineSnapshot();
    snapshot.credentials = { kind: null, ask: { reason: "No keychain.", options: ["none"] } };
    const { api, app } = await startedApp(snapshot);
    const result = await app.chooseCredentialStore("none");
    expect(result.ok).toBe(true);
    expect(api.chooseCredentialStore).toHaveBeenCalledWith({ kind: "none" });
    expect(app.accounts.credentials).toEqual({ kind: "none", ask: null });
  });

  it("loads the newest history when a conversation opens, and older pages on request", async () => {
    const { api, app } = await startedApp();
    const page = Array.from({ length: 50 }, (_, i) =>
      message("a@x.org", `m${i}`, { timestamp: 1_000_000 + i }),
    );
    const older = [message("a@x.org", "oldest", { timestamp: 10 })];
    api.history = vi.fn().mockResolvedValueOnce(ok(page)).mockResolvedValueOnce(ok(older));
    app.openConversation(ME, "a@x.org");
    const thread = app.conversations.thread(ME, "a@x.org");
    await vi.waitFor(() => expect(thread.historyLoaded).toBe(true));
    expect(api.history).toHaveBeenCalledWith({ accountId: ME, peer: "a@x.org", limit: 50 });
    expect(thread.messages).toHaveLength(50);
    expect(thread.hasOlder).toBe(true);

    await app.loadOlder(thread);
    expect(api.history).toHaveBeenLastCalledWith({
      accountId: ME,
      peer: "a@x.org",
      limit: 50,
      // The oldest message shown is the cursor: main pages by message id, not by time.
      before: page[0]!.id,
    });
    expect(thread.messages[0]?.body).toBe("oldest");
    expect(thread.hasOlder).toBe(false);
  });

  it("shows a history failure on the thread", async () => {
    const { api, app } = await startedApp();
    api.history = async () => fail("History is unavailable.");
    app.openConversation(ME, "a@x.org");
    await vi.waitFor(() =>
      expect(app.conversations.thread(ME, "a@x.org").historyError).toBe("History is unavailable."),
    );
  });

  it("adds a sent message to its conversation once, even when main echoes it", async () => {
    const { api, app } = await startedApp();
    const sent = await app.sendMessage(app.conversations.thread(ME, "a@x.org"), "hello");
    expect(sent.ok).toBe(true);
    expect(api.sendMessage).toHaveBeenCalledWith({ accountId: ME, to: "a@x.org", body: "hello" });
    if (sent.ok) api.emit([{ type: "messages", accountId: ME, messages: [sent.value] }]);
    expect(app.conversations.thread(ME, "a@x.org").messages.map((m) => m.body)).toEqual(["hello"]);
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(0);
  });

  it("bounds a conversation's loaded messages while the reader is at the bottom", async () => {
    const { api, app } = await startedApp();
    const flood = Array.from({ length: MESSAGE_WINDOW * 2 + 1 }, (_, i) =>
      message("a@x.org", `n${i}`, { timestamp: 5_000_000 + i }),
    );
    api.emit([{ type: "messages", accountId: ME, messages: flood }]);
    const thread = app.conversations.thread(ME, "a@x.org");
    expect(thread.messages).toHaveLength(MESSAGE_WINDOW);
    expect(thread.messages.at(-1)?.body).toBe(`n${MESSAGE_WINDOW * 2}`);
    expect(thread.hasOlder).toBe(true);
  });

  it("sorts out-of-order messages by time", async () => {
    const { api, app } = await startedApp();
    api.emit([
      {
        type: "messages",
        accountId: ME,
        messages: [message("a@x.org", "second", { timestamp: 2000 })],
      },
    ]);
    api.emit([
      {
        type: "messages",
        accountId: ME,
        messages: [message("a@x.org", "first", { timestamp: 1000, delayed: true })],
      },
    ]);
    expect(app.conversations.thread(ME, "a@x.org").messages.map((m) => m.body)).toEqual([
      "first",
      "second",
    ]);
  });
});
