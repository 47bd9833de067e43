import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import MessageList from "../../renderer/lib/components/MessageList.svelte";
import { Thread } from "../../renderer/lib/state/conversations.svelte";
import { ME, message } from "./fake-api";

const DAY = 86_400_000;

function threadWith(count: number, hasMore: boolean, spacing = DAY / 4) {
  const thread = new Thread(ME, "alice@x.org");
  const start = new Date(2024, 4, 1, 22, 0).getTime();
  thread.historyArrived(
    Array.from({ length: count }, (_, i) =>
      message("alice@x.org", `msg ${i}`, {
        timestamp: start + i * spacing,
        direction: i % 2 ? "out" : "in",
        delayed: i === 0,
      }),
    ),
    hasMore ? count : count + 1,
  );
  return thread;
}

function renderList(thread: Thread, extra: Record<string, unknown> = {}) {
  return render(MessageList, {
    thread,
    peerName: "Alice",
    onloadolder: vi.fn(),
    onopenlink: vi.fn(),
    ...extra,
  });
}

/** The rows the virtual list has in the DOM (it mounts them a moment after the list). */
async function rows(log: HTMLElement): Promise<HTMLElement[]> {
  await vi.waitFor(() => expect(log.querySelectorAll("li").length).toBeGreaterThan(0));
  return [...log.querySelectorAll<HTMLElement>("li")];
}

describe("MessageList", () => {
  it("separates days, marks direction and delayed messages, and shows times", async () => {
    renderList(threadWith(6, false));
    const log = screen.getByRole("log", { name: "Conversation with Alice" });
    const items = await rows(log);
    // 22:00 on day 1, then every six hours: days 1, 2, 3.
    expect(within(log).getAllByRole("separator")).toHaveLength(3);
    expect(items).toHaveLength(6);
    expect(items[0]?.querySelector(".message")?.classList.contains("in")).toBe(true);
    expect(items[1]?.querySelector(".message")?.classList.contains("out")).toBe(true);
    expect(items[0]?.textContent).toContain("delayed");
    expect(items[1]?.textContent).not.toContain("delayed");
    expect(items[0]?.querySelector("time")?.getAttribute("datetime")).toMatch(/^2024-05-0/);
    expect(within(log).getByText("Beginning of your conversation with Alice")).toBeTruthy();
  });

  it("shows delivery ticks with a text alternative, and the edited mark", async () => {
    const thread = new Thread(ME, "alice@x.org");
    const states = ["queued", "sent", "acked", "delivered", "displayed"] as const;
    thread.historyArrived(
      states.map((state, i) =>
        message("alice@x.org", state, { direction: "out", state, timestamp: 1_000 + i }),
      ),
      50,
    );
    thread.applyChanges([{ id: thread.messages[4]!.id, peer: "alice@x.org", editedAt: 9_000 }]);
    renderList(thread);
    const log = screen.getByRole("log");
    await rows(log);
    for (const label of [
      "Not sent yet: waiting for a connection",
      "Sent",
      "Received by the server",
      "Delivered",
      "Read",
    ]) {
      expect(within(log).getByRole("img", { name: label })).toBeTruthy();
    }
    expect(within(log).getAllByText("edited")).toHaveLength(1);
  });

  it("keeps a 10,000-message conversation's DOM small", async () => {
    renderList(threadWith(10_000, false, 60_000));
    const log = screen.getByRole("log");
    const items = await rows(log);
    expect(items.length).toBeLessThan(120);
    expect(log.querySelectorAll("*").length).toBeLessThan(1_000);
  });

  it("offers older history when there is more", async () => {
    const onloadolder = vi.fn();
    renderList(threadWith(3, true), { onloadolder });
    await fireEvent.click(screen.getByRole("button", { name: "Load older messages" }));
    expect(onloadolder).toHaveBeenCalledOnce();
  });

  it("highlights the message a search result opened, and offers the way back to the newest", async () => {
    const thread = threadWith(10, true);
    thread.jumpedTo(thread.messages, thread.messages[4]!.id);
    const onjumpnewest = vi.fn();
    renderList(thread, { onjumpnewest });
    const log = screen.getByRole("log");
    const items = await rows(log);
    expect(items.filter((item) => item.querySelector(".highlighted"))).toHaveLength(1);
    expect(log.querySelector(".highlighted")?.textContent).toContain("msg 4");
    await fireEvent.click(screen.getByRole("button", { name: "Jump to newest" }));
    expect(onjumpnewest).toHaveBeenCalledOnce();
  });

  it("says so when a conversation is empty", () => {
    const thread = new Thread(ME, "bob@x.org");
    thread.historyArrived([], 50);
    render(MessageList, { thread, peerName: "Bob", onloadolder: vi.fn(), onopenlink: vi.fn() });
    expect(screen.getByText("No messages yet.")).toBeTruthy();
  });
});
