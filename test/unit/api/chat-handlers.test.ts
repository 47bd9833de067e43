import { describe, expect, it, vi } from "vitest";
import type { ChatMessage } from "../../../preload/contract";
import type { AccountManager } from "../../../main/accounts/account-manager";
import { createChatHandlers } from "../../../main/api/chat-handlers";
import type { ServiceContext } from "../../../main/api/service-context";
import type { AccountState } from "../../../main/core/account-state";
import type { MessageRecord } from "../../../main/core/features/chat/message-record";
import { createLogger } from "../../../main/shared/log";
import type { SearchQuery } from "../../../main/store/message-store";

const message = (id: string, timestamp: number, peer = "bob@example.org"): ChatMessage => ({
  id,
  peer,
  direction: "in",
  body: `body of ${id}`,
  timestamp,
  delayed: false,
  state: "received",
});

const record = (id: string, accountId: string): MessageRecord => ({
  id,
  accountId,
  conversation: "bob@example.org",
  kind: "chat",
  direction: "out",
  sender: "alice@example.org",
  body: "the word",
  sentAt: null,
  receivedAt: 5,
  serverAt: null,
  timestamp: 5,
  stanzaId: null,
  originId: null,
  archiveId: null,
  archiveBy: null,
  state: "delivered",
  correctsId: null,
  editedAt: 9,
  attachment: null,
});

/** A chat feature whose every method is a mock, as the handlers see it. */
function fakeChat() {
  return {
    send: vi.fn(async (to: string, body: string) => ({ ...message("s", 1, to), body })),
    correct: vi.fn(async () => message("c", 1)),
    sendChatState: vi.fn(async () => {}),
    markRead: vi.fn(async () => {}),
    history: vi.fn(async () => [message("h", 1)]),
    conversations: vi.fn(async () => [] as { peer: string; last: ChatMessage; unread: number }[]),
    deleteHistory: vi.fn(async () => 3),
  };
}

function setup(
  ids: string[] = ["a1", "b2"],
  search?: (query: SearchQuery) => Promise<MessageRecord[]>,
) {
  const chats = new Map(ids.map((id) => [id, fakeChat()]));
  const accounts = {
    accounts: () => ids.map((id) => ({ id, jid: `${id}@example.org` })),
    state: (id: string) =>
      chats.has(id) ? ({ chat: chats.get(id) } as unknown as AccountState) : null,
  } as unknown as AccountManager;
  const context = {
    accounts,
    log: createLogger("test/chat"),
    search: search ?? null,
  } as unknown as ServiceContext;
  return { handlers: createChatHandlers(context), chat: (id: string) => chats.get(id)! };
}

describe("chat handlers", () => {
  it("send, correct, chat states and read marks go to the named account's chat, online or not", async () => {
    const { handlers, chat } = setup();
    const sent = await handlers.sendMessage({
      accountId: "b2",
      to: "carol@example.org",
      body: "hi",
    });
    expect(sent).toMatchObject({ peer: "carol@example.org", body: "hi" });
    expect(chat("b2").send).toHaveBeenCalledWith("carol@example.org", "hi");
    expect(chat("a1").send).not.toHaveBeenCalled();

    await handlers.correctMessage({
      accountId: "a1",
      to: "bob@example.org",
      id: "m1",
      body: "fixed",
    });
    expect(chat("a1").correct).toHaveBeenCalledWith("bob@example.org", "m1", "fixed");
    await handlers.sendChatState({ accountId: "a1", to: "bob@example.org", state: "composing" });
    expect(chat("a1").sendChatState).toHaveBeenCalledWith("bob@example.org", "composing");
    await handlers.markRead({ accountId: "a1", peer: "bob@example.org/phone", upTo: "m9" });
    expect(chat("a1").markRead).toHaveBeenCalledWith("bob@example.org", "m9");
  });

  it("asks for the page named by before, after or around, by bare JID", async () => {
    const { handlers, chat } = setup();
    await handlers.history({ accountId: "a1", peer: "bob@example.org/phone", limit: 50 });
    await handlers.history({ accountId: "a1", peer: "bob@example.org", before: "x", limit: 50 });
    await handlers.history({ accountId: "a1", peer: "bob@example.org", after: "y", limit: 20 });
    await handlers.history({ accountId: "a1", peer: "bob@example.org", around: "z", limit: 40 });
    expect(chat("a1").history.mock.calls).toEqual([
      ["bob@example.org", {}, 50],
      ["bob@example.org", { before: "x" }, 50],
      ["bob@example.org", { after: "y" }, 20],
      ["bob@example.org", { around: "z" }, 40],
    ]);
  });

  it("refuses an unknown account", async () => {
    const { handlers } = setup();
    await expect(
      handlers.sendMessage({ accountId: "nope", to: "bob@example.org", body: "hi" }),
    ).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(handlers.search({ text: "x", accountId: "nope", limit: 5 })).rejects.toMatchObject(
      { code: "invalid-argument" },
    );
  });

  it("lists every account's conversations, most recent first, up to the limit", async () => {
    const { handlers, chat } = setup(["a1", "b2", "c3"]);
    chat("a1").conversations.mockResolvedValue([
      { peer: "x@example.org", last: message("a-new", 30, "x@example.org"), unread: 2 },
      { peer: "y@example.org", last: message("a-old", 10, "y@example.org"), unread: 0 },
    ]);
    chat("b2").conversations.mockResolvedValue([
      { peer: "x@example.org", last: message("b-mid", 20, "x@example.org"), unread: 1 },
    ]);
    // One account whose history fails leaves the others listed.
    chat("c3").conversations.mockRejectedValue(new Error("database gone"));
    const list = await handlers.conversations({ limit: 2 });
    expect(list.map((c) => [c.accountId, c.peer, c.last.id, c.unread])).toEqual([
      ["a1", "x@example.org", "a-new", 2],
      ["b2", "x@example.org", "b-mid", 1],
    ]);
    expect(chat("a1").conversations).toHaveBeenCalledWith(2);
  });

  it("searches the database and shows hits as messages of known accounts", async () => {
    const search = vi.fn(async () => [record("r1", "a1"), record("r2", "removed")]);
    const { handlers } = setup(["a1"], search);
    const hits = await handlers.search({
      text: "word",
      accountId: "a1",
      peer: "bob@example.org/phone",
      before: "r0",
      limit: 20,
    });
    expect(search).toHaveBeenCalledWith({
      text: "word",
      accountId: "a1",
      conversation: "bob@example.org",
      before: "r0",
      limit: 20,
    });
    expect(hits).toEqual([
      {
        accountId: "a1",
        message: {
          id: "r1",
          peer: "bob@example.org",
          direction: "out",
          body: "the word",
          timestamp: 5,
          delayed: false,
          state: "delivered",
          editedAt: 9,
        },
      },
    ]);
  });

  it("finds nothing without a database", async () => {
    const { handlers } = setup();
    await expect(handlers.search({ text: "word", limit: 20 })).resolves.toEqual([]);
  });

  it("deletes a conversation's history by bare JID", async () => {
    const { handlers, chat } = setup();
    await handlers.deleteHistory({ accountId: "a1", peer: "bob@example.org/phone" });
    expect(chat("a1").deleteHistory).toHaveBeenCalledWith("bob@example.org");
  });
});
