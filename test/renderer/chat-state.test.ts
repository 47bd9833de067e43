import { describe, expect, it, vi } from "vitest";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { createFakeApi, ME, message, ok, onlineSnapshot } from "./fake-api";

/** A started app; the person looks at the window unless `attentive` says otherwise. */
async function startedApp(snapshot = onlineSnapshot(), attentive = () => true) {
  const api = createFakeApi(snapshot);
  const app = new WrenApp(api, { attentive });
  await app.start();
  return { api, app };
}

describe("WrenApp's conversations", () => {
  it("marks read only while the window has the focus, and up to the newest message shown", async () => {
    let focused = false;
    const { api, app } = await startedApp(onlineSnapshot(), () => focused);
    const first = message("a@x.org", "one");
    const second = message("a@x.org", "two");
    api.history = vi.fn(async () => ok([first]));
    app.openConversation(ME, "a@x.org");
    await vi.waitFor(() => expect(app.conversations.selected?.historyLoaded).toBe(true));
    api.emit([{ type: "messages", accountId: ME, messages: [second] }]);
    // In front, but the person is elsewhere: it stays unread, and main is told nothing.
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(1);
    expect(api.markRead).not.toHaveBeenCalled();
    focused = true;
    app.chat.markReadIfSeen();
    expect(app.conversations.unreadFor(ME, "a@x.org")).toBe(0);
    expect(api.markRead).toHaveBeenCalledExactlyOnceWith({
      accountId: ME,
      peer: "a@x.org",
      upTo: second.id,
    });
    app.chat.markReadIfSeen();
    expect(api.markRead).toHaveBeenCalledOnce();
  });

  it("starts with main's conversations and unread counts, and zeroes one read elsewhere", async () => {
    const api = createFakeApi(onlineSnapshot());
    const older = message("b@x.org", "older", { timestamp: 1_000 });
    const newer = message("a@x.org", "newer", { timestamp: 2_000, direction: "out" });
    api.conversations = vi.fn(async () =>
      ok([
        { accountId: ME, peer: "a@x.org", last: newer, unread: 0 },
        { accountId: ME, peer: "b@x.org", last: older, unread: 3 },
      ]),
    );
    const app = new WrenApp(api, { attentive: () => true });
    await app.start();
    await vi.waitFor(() => expect(app.conversations.recent).toHaveLength(2));
    expect(api.conversations).toHaveBeenCalledWith({ limit: 500 });
    expect(app.conversations.recent.map((c) => c.peer)).toEqual(["a@x.org", "b@x.org"]);
    expect(app.conversations.unreadFor(ME, "b@x.org")).toBe(3);

    // A message moves its conversation to the top; main says another device read one.
    api.emit([
      {
        type: "messages",
        accountId: ME,
        messages: [message("b@x.org", "new", { timestamp: 3_000 })],
      },
    ]);
    expect(app.conversations.recent.map((c) => c.peer)).toEqual(["b@x.org", "a@x.org"]);
    expect(app.conversations.unreadFor(ME, "b@x.org")).toBe(4);
    api.emit([{ type: "conversation-read", accountId: ME, peer: "b@x.org" }]);
    expect(app.conversations.unreadFor(ME, "b@x.org")).toBe(0);
  });

  it("applies delivery ticks and corrections to loaded messages and to the list", async () => {
    const { api, app } = await startedApp();
    const sent = await app.sendMessage(app.conversations.thread(ME, "a@x.org"), "helo");
    if (!sent.ok) throw new Error("not sent");
    const id = sent.value.id;
    api.emit([
      {
        type: "message-changes",
        accountId: ME,
        changes: [{ id, peer: "a@x.org", state: "delivered", body: "hello", editedAt: 5 }],
      },
    ]);
    const shown = app.conversations.thread(ME, "a@x.org").messages[0];
    expect(shown).toMatchObject({ state: "delivered", body: "hello", editedAt: 5 });
    expect(app.conversations.recent[0]?.last).toMatchObject({ state: "delivered", body: "hello" });
  });

  it("corrects the person's last message through main", async () => {
    const { api, app } = await startedApp();
    const thread = app.conversations.thread(ME, "a@x.org");
    const sent = await app.sendMessage(thread, "helo");
    if (!sent.ok) throw new Error("not sent");
    expect(thread.lastOwn()?.id).toBe(sent.value.id);
    const result = await app.chat.correctMessage(thread, sent.value.id, "hello");
    expect(result.ok).toBe(true);
    expect(api.correctMessage).toHaveBeenCalledWith({
      accountId: ME,
      to: "a@x.org",
      id: sent.value.id,
      body: "hello",
    });
    expect(thread.messages[0]?.body).toBe("hello");
    expect(thread.messages[0]?.editedAt).toBeDefined();
  });

  it("shows the peer typing until its message arrives, and catch-up progress", async () => {
    const { api, app } = await startedApp();
    const thread = app.conversations.thread(ME, "a@x.org");
    api.emit([{ type: "chat-state", accountId: ME, peer: "a@x.org", state: "composing" }]);
    expect(thread.peerState).toBe("composing");
    api.emit([{ type: "messages", accountId: ME, messages: [message("a@x.org", "done")] }]);
    expect(thread.peerState).toBeNull();

    api.emit([{ type: "catch-up", accountId: ME, progress: { running: true, fetched: 10 } }]);
    expect(app.catchUp.all.get(ME)).toEqual({ running: true, fetched: 10 });
    vi.mocked(api.conversations).mockClear();
    api.emit([{ type: "catch-up", accountId: ME, progress: { running: false, fetched: 12 } }]);
    expect(app.catchUp.all.has(ME)).toBe(false);
    // What came in is counted by main: the list is asked for again.
    expect(api.conversations).toHaveBeenCalledOnce();
  });

  it("opens a conversation around a search result, and pages down to the newest", async () => {
    const { api, app } = await startedApp();
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) =>
        message("a@x.org", `old ${from + i}`, { timestamp: 1_000 + from + i }),
      );
    const around = page(0, 50);
    const next = page(50, 50);
    const last = [message("a@x.org", "newest", { timestamp: 9_000 })];
    api.history = vi
      .fn()
      .mockResolvedValueOnce(ok(around))
      .mockResolvedValueOnce(ok(next))
      .mockResolvedValueOnce(ok(last));
    await app.chat.jumpTo(ME, "a@x.org", around[20]!.id);
    const thread = app.conversations.selected!;
    expect(api.history).toHaveBeenNthCalledWith(1, {
      accountId: ME,
      peer: "a@x.org",
      around: around[20]!.id,
      limit: 50,
    });
    // The page after it comes at once: a full one, so newer messages remain.
    expect(api.history).toHaveBeenNthCalledWith(2, {
      accountId: ME,
      peer: "a@x.org",
      after: around[49]!.id,
      limit: 50,
    });
    expect(thread.highlight).toBe(around[20]!.id);
    expect(thread.hasNewer).toBe(true);
    // Live messages wait while the newest are not loaded: no hole in what is shown.
    api.emit([{ type: "messages", accountId: ME, messages: [message("a@x.org", "live")] }]);
    expect(thread.messages.map((m) => m.body)).not.toContain("live");
    expect(api.markRead).not.toHaveBeenCalled();

    await app.chat.loadNewer(thread);
    expect(api.history).toHaveBeenLastCalledWith({
      accountId: ME,
      peer: "a@x.org",
      after: next[49]!.id,
      limit: 50,
    });
    expect(thread.messages.at(-1)?.body).toBe("newest");
    expect(thread.hasNewer).toBe(false);
    // At the newest, in front and focused: what is shown is read.
    expect(api.markRead).toHaveBeenCalled();
  });
});
