import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import MessageList from "../../renderer/lib/components/MessageList.svelte";
import { Thread } from "../../renderer/lib/state/conversations.svelte";
import { ME, message } from "./fake-api";

const DAY = 86_400_000;

function threadWith(count: number, hasMore: boolean) {
  const thread = new Thread(ME, "alice@x.org");
  const start = new Date(2024, 4, 1, 22, 0).getTime();
  thread.historyArrived(
    Array.from({ length: count }, (_, i) =>
      message("alice@x.org", `msg ${i}`, {
        timestamp: start + i * (DAY / 4),
        direction: i % 2 ? "out" : "in",
        delayed: i === 0,
      }),
    ),
    hasMore ? count : count + 1,
  );
  return thread;
}

describe("MessageList", () => {
  it("separates days, marks direction and delayed messages, and shows times", () => {
    const thread = threadWith(6, false);
    render(MessageList, { thread, peerName: "Alice", onloadolder: vi.fn(), onopenlink: vi.fn() });
    const log = screen.getByRole("log", { name: "Conversation with Alice" });
    // 22:00 on day 1, then every six hours: days 1, 2, 3.
    expect(within(log).getAllByRole("separator")).toHaveLength(3);
    const items = log.querySelectorAll("li.message");
    expect(items).toHaveLength(6);
    expect(items[0]?.classList.contains("in")).toBe(true);
    expect(items[1]?.classList.contains("out")).toBe(true);
    expect(items[0]?.textContent).toContain("delayed");
    expect(items[1]?.textContent).not.toContain("delayed");
    expect(items[0]?.querySelector("time")?.getAttribute("datetime")).toMatch(/^2024-05-0/);
    expect(within(log).getByText("Beginning of your conversation with Alice")).toBeTruthy();
  });

  it("offers older history when there is more", async () => {
    const onloadolder = vi.fn();
    render(MessageList, {
      thread: threadWith(3, true),
      peerName: "Alice",
      onloadolder,
      onopenlink: vi.fn(),
    });
    await fireEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    expect(onloadolder).toHaveBeenCalledOnce();
  });

  it("says so when a conversation is empty", () => {
    const thread = new Thread(ME, "bob@x.org");
    thread.historyArrived([], 50);
    render(MessageList, { thread, peerName: "Bob", onloadolder: vi.fn(), onopenlink: vi.fn() });
    expect(screen.getByText("No messages yet.")).toBeTruthy();
  });
});
