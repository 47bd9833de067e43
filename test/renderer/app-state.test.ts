import { describe, expect, it, vi } from "vitest";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { MESSAGE_WINDOW } from "../../renderer/lib/state/conversations.svelte";
import { createFakeApi, fail, message, ok, onlineSnapshot, presence, rosterItem } from "./fake-api";

async function startedApp(snapshot = onlineSnapshot()) {
  const api = createFakeApi(snapshot);
  const app = new WrenApp(api);
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
    expect(app.session.established).toBe(true);
    expect(app.roster.contacts.map((c) => c.jid)).toEqual(["b@x.org", "a@x.org"]);
    expect(app.session.requests).toEqual(["stranger@x.org"]);
    expect(app.session.ownPresence).toEqual({ show: "dnd", status: "In a meeting" });
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
        upserted: [rosterItem("a@x.org"), rosterItem("b@x.org")],
        removed: [],
        reset: true,
      },
      { type: "presence", contacts: [presence("b@x.org", "chat", "Talk to me")] },
      { type: "subscription-request", jid: "c@x.org" },
      { type: "subscription-request", jid: "d@x.org" },
      { type: "subscription-request-resolved", jid: "c@x.org" },
      { type: "own-presence", show: "away", status: "Lunch" },
      { type: "messages", messages: [message("a@x.org", "hi"), message("a@x.org", "there")] },
    ]);
    expect(app.roster.contacts).not.toBe(before);
    expect(app.roster.contacts.map((c) => c.jid)).toEqual(["b@x.org", "a@x.org"]);
    expect(app.roster.contact("b@x.org")?.presence?.best?.status).toBe("Talk to me");
    expect(app.session.requests).toEqual(["d@x.org"]);
    expect(app.session.ownPresence).toEqual({ show: "away", status: "Lunch" });
    expect(app.conversations.unreadFor("a@x.org")).toBe(2);
    expect(app.conversations.totalUnread).toBe(2);
  });

  it("counts unread incoming messages only for conversations that are not open", async () => {
    const { api, app } = await startedApp();
    app.openConversation("a@x.org");
    api.emit([
      {
        type: "messages",
        messages: [
          message("a@x.org", "seen"),
          message("b@x.org", "unseen"),
          message("b@x.org", "mine", { direction: "out" }),
        ],
      },
    ]);
    expect(app.conversations.unreadFor("a@x.org")).toBe(0);
    expect(app.conversations.unreadFor("b@x.org")).toBe(1);
    app.openConversation("b@x.org");
    expect(app.conversations.unreadFor("b@x.org")).toBe(0);
    expect(app.conversations.totalUnread).toBe(0);
  });

  it("does not count a message twice when it arrives again", async () => {
    const { api, app } = await startedApp();
    const m = message("a@x.org", "once");
    api.emit([{ type: "messages", messages: [m] }]);
    api.emit([{ type: "messages", messages: [m] }]);
    expect(app.conversations.unreadFor("a@x.org")).toBe(1);
    expect(app.conversations.thread("a@x.org").messages).toHaveLength(1);
  });

  it("keeps only messages from events that raced the snapshot", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("a@x.org", "A")] }));
    const app = new WrenApp(api);
    api.snapshot = async () => {
      // Delivered before the reply, so already part of the snapshot — except the message.
      api.emit([
        { type: "roster", upserted: [], removed: ["a@x.org"], reset: false },
        { type: "messages", messages: [message("a@x.org", "early")] },
      ]);
      return ok(onlineSnapshot({ roster: [rosterItem("a@x.org", "A")] }));
    };
    await app.start();
    expect(app.roster.size).toBe(1);
    expect(app.conversations.unreadFor("a@x.org")).toBe(1);
  });

  it("forgets the account on sign-out", async () => {
    const { api, app } = await startedApp(onlineSnapshot({ roster: [rosterItem("a@x.org")] }));
    app.openConversation("a@x.org");
    api.emit([{ type: "session", session: { state: "offline", jid: null, error: null } }]);
    expect(app.session.established).toBe(false);
    expect(app.roster.size).toBe(0);
    expect(app.conversations.selected).toBeNull();
  });

  it("stays on the main screen while reconnecting, not while first signing in", async () => {
    const { api, app } = await startedApp(onlineSnapshot());
    api.emit([
      { type: "session", session: { state: "connecting", jid: "me@example.org", error: null } },
    ]);
    expect(app.session.established).toBe(true);

    const fresh = await startedApp(
      onlineSnapshot({ session: { state: "offline", jid: null, error: null } }),
    );
    fresh.api.emit([
      { type: "session", session: { state: "connecting", jid: "me@example.org", error: null } },
    ]);
    expect(fresh.app.session.established).toBe(false);
    fresh.api.emit([
      { type: "session", session: { state: "online", jid: "me@example.org", error: null } },
    ]);
    expect(fresh.app.session.established).toBe(true);
  });

  it("loads the newest history when a conversation opens, and older pages on request", async () => {
    const { api, app } = await startedApp();
    const page = Array.from({ length: 50 }, (_, i) =>
      message("a@x.org", `m${i}`, { timestamp: 1_000_000 + i }),
    );
    const older = [message("a@x.org", "oldest", { timestamp: 10 })];
    api.history = vi.fn().mockResolvedValueOnce(ok(page)).mockResolvedValueOnce(ok(older));
    app.openConversation("a@x.org");
    await flush();
    const thread = app.conversations.thread("a@x.org");
    expect(api.history).toHaveBeenCalledWith({ peer: "a@x.org", limit: 50 });
    expect(thread.messages).toHaveLength(50);
    expect(thread.hasOlder).toBe(true);

    await app.loadOlder("a@x.org");
    expect(api.history).toHaveBeenLastCalledWith({ peer: "a@x.org", limit: 50, before: 1_000_000 });
    expect(thread.messages[0]?.body).toBe("oldest");
    expect(thread.hasOlder).toBe(false);
  });

  it("shows a history failure on the thread", async () => {
    const { api, app } = await startedApp();
    api.history = async () => fail("History is unavailable.");
    app.openConversation("a@x.org");
    await flush();
    expect(app.conversations.thread("a@x.org").historyError).toBe("History is unavailable.");
  });

  it("adds a sent message to its conversation once, even when main echoes it", async () => {
    const { api, app } = await startedApp();
    const sent = await app.sendMessage("a@x.org", "hello");
    expect(sent.ok).toBe(true);
    if (sent.ok) api.emit([{ type: "messages", messages: [sent.value] }]);
    expect(app.conversations.thread("a@x.org").messages.map((m) => m.body)).toEqual(["hello"]);
    expect(app.conversations.unreadFor("a@x.org")).toBe(0);
  });

  it("bounds a conversation's loaded messages while the reader is at the bottom", async () => {
    const { api, app } = await startedApp();
    const flood = Array.from({ length: MESSAGE_WINDOW * 2 + 1 }, (_, i) =>
      message("a@x.org", `n${i}`, { timestamp: 5_000_000 + i }),
    );
    api.emit([{ type: "messages", messages: flood }]);
    const thread = app.conversations.thread("a@x.org");
    expect(thread.messages).toHaveLength(MESSAGE_WINDOW);
    expect(thread.messages.at(-1)?.body).toBe(`n${MESSAGE_WINDOW * 2}`);
    expect(thread.hasOlder).toBe(true);
  });

  it("sorts out-of-order messages by time", async () => {
    const { api, app } = await startedApp();
    api.emit([{ type: "messages", messages: [message("a@x.org", "second", { timestamp: 2000 })] }]);
    api.emit([
      {
        type: "messages",
        messages: [message("a@x.org", "first", { timestamp: 1000, delayed: true })],
      },
    ]);
    expect(app.conversations.thread("a@x.org").messages.map((m) => m.body)).toEqual([
      "first",
      "second",
    ]);
  });
});

function flush() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
