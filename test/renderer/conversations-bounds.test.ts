import { describe, expect, it } from "vitest";
import {
  ConversationsState,
  MAX_CONVERSATIONS,
} from "../../renderer/lib/state/conversations.svelte";
import { message } from "./fake-api";

describe("conversations strangers can open in the page", () => {
  it("keeps at most MAX_CONVERSATIONS, forgetting the least recent but never the open one", () => {
    const conversations = new ConversationsState();
    conversations.applyMessages("acc", [message("first@x.org", "hello")]);
    conversations.select({ accountId: "acc", peer: "first@x.org" });
    const flood = Array.from({ length: MAX_CONVERSATIONS + 10 }, (_, i) =>
      message(`s${i}@spam.example`, "hi"),
    );
    conversations.applyMessages("acc", flood);

    expect(conversations.recent).toHaveLength(MAX_CONVERSATIONS + 1);
    expect(conversations.hasThread("acc", "first@x.org")).toBe(true);
    expect(conversations.hasThread("acc", `s${MAX_CONVERSATIONS + 9}@spam.example`)).toBe(true);
    // The batch arrives oldest first, so its first senders are the least recent.
    expect(conversations.hasThread("acc", "s0@spam.example")).toBe(false);
    expect(conversations.unreadFor("acc", "s0@spam.example")).toBe(0);
    // The kept strangers' messages, and the open conversation's (not read yet).
    expect(conversations.totalUnread).toBe(MAX_CONVERSATIONS + 1);
  });
});
