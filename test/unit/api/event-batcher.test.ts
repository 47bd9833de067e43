import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  AccountSummary,
  ChatMessage,
  ContactPresence,
  MessageChange,
  RosterItem,
  WrenEvent,
} from "../../../preload/contract";
import { createEventBatcher } from "../../../main/api/event-batcher";

const presence = (jid: string, status: string): ContactPresence => ({
  jid,
  best: { resource: "r", show: "online", status, priority: 0 },
  resourceCount: 1,
});
const item = (jid: string): RosterItem => ({
  jid,
  name: jid,
  groups: [],
  subscription: "both",
  pendingOut: false,
});

const account = (id: string, state: "connecting" | "online"): AccountSummary => ({
  id,
  jid: `${id}@x`,
  enabled: true,
  state: { state, jid: `${id}@x`, error: null },
  needsPassword: false,
  trustedCertificate: null,
  authentication: "password",
  settings: { directTls: false, keepHistory: true },
});

describe("createEventBatcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("delivers a burst as one batch after the window", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver, windowMs: 16 });
    for (let i = 0; i < 5000; i++)
      batcher.push({ type: "presence", accountId: "a", contacts: [presence(`c${i}@x`, "")] });
    expect(deliver).not.toHaveBeenCalled();
    vi.advanceTimersByTime(16);
    expect(deliver).toHaveBeenCalledTimes(1);
    const [batch] = deliver.mock.calls[0]!;
    expect(batch).toHaveLength(1);
    expect(batch[0]!.type === "presence" && batch[0]!.contacts).toHaveLength(5000);
  });

  it("keeps only the latest presence of a contact within a batch", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver });
    batcher.push({ type: "presence", accountId: "a", contacts: [presence("a@x", "first")] });
    batcher.push({ type: "presence", accountId: "a", contacts: [presence("b@x", "b")] });
    batcher.push({ type: "presence", accountId: "a", contacts: [presence("a@x", "second")] });
    batcher.flush();
    expect(deliver.mock.calls[0]![0]).toEqual([
      {
        type: "presence",
        accountId: "a",
        contacts: [presence("a@x", "second"), presence("b@x", "b")],
      },
    ]);
  });

  it("keeps the order between kinds of events", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver });
    batcher.push({
      type: "roster",
      accountId: "a",
      upserted: [item("a@x")],
      removed: [],
      reset: true,
    });
    batcher.push({ type: "presence", accountId: "a", contacts: [presence("a@x", "")] });
    batcher.push({ type: "roster", accountId: "a", upserted: [], removed: ["a@x"], reset: false });
    batcher.flush();
    expect(deliver.mock.calls[0]![0].map((event) => event.type)).toEqual([
      "roster",
      "presence",
      "roster",
    ]);
  });

  it("merges roster changes so a removal cancels an earlier upsert", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver });
    batcher.push({
      type: "roster",
      accountId: "a",
      upserted: [item("a@x")],
      removed: [],
      reset: false,
    });
    batcher.push({
      type: "roster",
      accountId: "a",
      upserted: [item("b@x")],
      removed: ["a@x"],
      reset: false,
    });
    batcher.flush();
    expect(deliver.mock.calls[0]![0]).toEqual([
      { type: "roster", accountId: "a", upserted: [item("b@x")], removed: ["a@x"], reset: false },
    ]);
  });

  it("does not mutate the arrays it was given", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver });
    const first = [presence("a@x", "")];
    batcher.push({ type: "presence", accountId: "a", contacts: first });
    batcher.push({ type: "presence", accountId: "a", contacts: [presence("b@x", "")] });
    batcher.flush();
    expect(first).toHaveLength(1);
  });

  it("delivers nothing after dispose", () => {
    const deliver = vi.fn();
    const batcher = createEventBatcher({ deliver });
    batcher.push({ type: "subscription-request", accountId: "a", jid: "a@x" });
    batcher.dispose();
    vi.advanceTimersByTime(100);
    expect(deliver).not.toHaveBeenCalled();
  });

  it("never merges one account's events into another's, and keeps their order", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver });
    batcher.push({ type: "presence", accountId: "a", contacts: [presence("c@x", "on a")] });
    batcher.push({ type: "presence", accountId: "b", contacts: [presence("c@x", "on b")] });
    batcher.push({ type: "presence", accountId: "b", contacts: [presence("d@x", "")] });
    batcher.push({ type: "messages", accountId: "a", messages: [] });
    batcher.push({ type: "messages", accountId: "b", messages: [] });
    batcher.flush();
    expect(deliver.mock.calls[0]![0]).toEqual([
      { type: "presence", accountId: "a", contacts: [presence("c@x", "on a")] },
      {
        type: "presence",
        accountId: "b",
        contacts: [presence("c@x", "on b"), presence("d@x", "")],
      },
      { type: "messages", accountId: "a", messages: [] },
      { type: "messages", accountId: "b", messages: [] },
    ]);
  });

  it("keeps only the newest summary of a run of one account's changes", () => {
    const deliver = vi.fn<(events: WrenEvent[]) => void>();
    const batcher = createEventBatcher({ deliver });
    batcher.push({ type: "account", account: account("a", "connecting") });
    batcher.push({ type: "account", account: account("a", "online") });
    batcher.push({ type: "account", account: account("b", "connecting") });
    batcher.push({ type: "account-removed", accountId: "a" });
    batcher.push({ type: "account-removed", accountId: "a" });
    batcher.flush();
    expect(deliver.mock.calls[0]![0]).toEqual([
      { type: "account", account: account("a", "online") },
      { type: "account", account: account("b", "connecting") },
      { type: "account-removed", accountId: "a" },
      { type: "account-removed", accountId: "a" },
    ]);
  });

  describe("messages and their changes", () => {
    const message = (id: string): ChatMessage => ({
      id,
      peer: "p@x",
      direction: "out",
      body: id,
      timestamp: 1,
      delayed: false,
      state: "sent",
    });
    const change = (id: string, state: MessageChange["state"], body?: string): MessageChange => ({
      id,
      peer: "p@x",
      state,
      ...(body !== undefined && { body, editedAt: 2 }),
    });

    it("merges one account's messages and changes of a busy window into one event of each", () => {
      const deliver = vi.fn<(events: WrenEvent[]) => void>();
      const batcher = createEventBatcher({ deliver });
      batcher.push({ type: "messages", accountId: "a", messages: [message("1")] });
      batcher.push({ type: "message-changes", accountId: "a", changes: [change("1", "acked")] });
      batcher.push({ type: "messages", accountId: "b", messages: [message("x")] });
      batcher.push({ type: "messages", accountId: "a", messages: [message("2")] });
      batcher.push({ type: "message-changes", accountId: "b", changes: [change("x", "acked")] });
      batcher.push({ type: "message-changes", accountId: "a", changes: [change("2", "acked")] });
      batcher.push({
        type: "message-changes",
        accountId: "a",
        changes: [change("1", "delivered", "fixed")],
      });
      batcher.flush();
      expect(deliver).toHaveBeenCalledTimes(1);
      expect(deliver.mock.calls[0]![0]).toEqual([
        { type: "messages", accountId: "a", messages: [message("1"), message("2")] },
        {
          type: "message-changes",
          accountId: "a",
          // One entry per message, the later change on top of the earlier one.
          changes: [change("1", "delivered", "fixed"), change("2", "acked")],
        },
        { type: "messages", accountId: "b", messages: [message("x")] },
        { type: "message-changes", accountId: "b", changes: [change("x", "acked")] },
      ]);
    });

    it("never moves a change before a message it may name, nor past other events of its account", () => {
      const deliver = vi.fn<(events: WrenEvent[]) => void>();
      const batcher = createEventBatcher({ deliver });
      const changes: MessageChange[] = [change("0", "acked")];
      batcher.push({ type: "message-changes", accountId: "a", changes });
      batcher.push({ type: "messages", accountId: "a", messages: [message("1")] });
      batcher.push({ type: "message-changes", accountId: "a", changes: [change("1", "acked")] });
      batcher.push({ type: "conversation-read", accountId: "a", peer: "p@x" });
      batcher.push({ type: "messages", accountId: "a", messages: [message("2")] });
      batcher.flush();
      expect(deliver.mock.calls[0]![0]).toEqual([
        { type: "message-changes", accountId: "a", changes: [change("0", "acked")] },
        { type: "messages", accountId: "a", messages: [message("1")] },
        { type: "message-changes", accountId: "a", changes: [change("1", "acked")] },
        { type: "conversation-read", accountId: "a", peer: "p@x" },
        { type: "messages", accountId: "a", messages: [message("2")] },
      ]);
      // The caller's arrays are never merged into.
      expect(changes).toEqual([change("0", "acked")]);
    });
  });
});
