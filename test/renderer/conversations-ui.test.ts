import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { SearchHit } from "../../preload/contract";
import App from "../../renderer/App.svelte";
import { highlightParts, snippet } from "../../renderer/lib/highlight";
import {
  createFakeApi,
  ME,
  message,
  ok,
  onlineSnapshot,
  rosterItem,
  twoAccountSnapshot,
  WORK,
  type FakeApi,
} from "./fake-api";

async function renderApp(api: FakeApi) {
  render(App, { connect: async () => api });
  await screen.findByRole("searchbox", { name: "Search contacts" });
}

describe("the conversation list", () => {
  it("lists conversations across accounts, most recent first, with unread counts and previews", async () => {
    const api = createFakeApi(twoAccountSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    api.conversations = vi.fn(async () =>
      ok([
        {
          accountId: WORK,
          peer: "bob@y.org",
          last: message("bob@y.org", "<b>not bold</b>\nsecond line", { timestamp: 3_000 }),
          unread: 2,
        },
        {
          accountId: ME,
          peer: "alice@x.org",
          last: message("alice@x.org", "see you", { timestamp: 2_000, direction: "out" }),
          unread: 0,
        },
        {
          accountId: ME,
          peer: "carol@x.org",
          last: message("carol@x.org", "flood", { timestamp: 1_000 }),
          // As far as main counts: there are at least this many.
          unread: 10_000,
        },
      ]),
    );
    await renderApp(api);
    const section = screen.getByRole("region", { name: "Conversations" });
    const rows = await within(section).findAllByRole("button", { name: /bob|Alice|carol/ });
    expect(rows.map((row) => row.querySelector(".name")?.textContent)).toEqual([
      "bob",
      "Alice",
      "carol",
    ]);
    expect(rows[2]?.textContent).toContain("more than 9,999 unread messages");
    // The preview is text, never markup; its first line only.
    expect(rows[0]?.querySelector("b")).toBeNull();
    expect(rows[0]?.textContent).toContain("<b>not bold</b>");
    expect(rows[0]?.textContent).not.toContain("second line");
    expect(rows[0]?.textContent).toContain("2 unread messages");
    expect(rows[0]?.textContent).toContain("on me@work.example");
    expect(rows[1]?.textContent).toContain("You: see you");
  });

  it("moves between rows with the arrow keys and opens one with Enter", async () => {
    const api = createFakeApi(onlineSnapshot());
    await renderApp(api);
    api.emit([
      { type: "messages", accountId: ME, messages: [message("a@x.org", "first")] },
      { type: "messages", accountId: ME, messages: [message("b@x.org", "second")] },
    ]);
    const section = screen.getByRole("region", { name: "Conversations" });
    // The most recent first: b, then a.
    const [top, next] = await within(section).findAllByRole("button", { name: /^[ab]/ });
    expect(top?.textContent).toContain("second");
    expect(top?.tabIndex).toBe(0);
    expect(next?.tabIndex).toBe(-1);
    top!.focus();
    await fireEvent.keyDown(top!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(next);
    await fireEvent.click(next!);
    expect(await screen.findByRole("textbox", { name: "Message to a" })).toBeTruthy();
  });
});

describe("search", () => {
  const hit = (body: string): SearchHit => ({
    accountId: ME,
    message: message("alice@x.org", body, { id: "hit-1" }),
  });

  it("finds messages across conversations, highlights the words safely, and opens one in context", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    api.search = vi.fn(async () => ok([hit("Lunch at <i>noon</i>, café?")]));
    api.history = vi.fn(async () =>
      ok([message("alice@x.org", "before"), hit("Lunch at noon").message]),
    );
    await renderApp(api);
    await fireEvent.keyDown(window, { key: "f", ctrlKey: true });
    const box = await screen.findByRole("searchbox", { name: "Search messages" });
    await fireEvent.input(box, { target: { value: "cafe lunch" } });
    await fireEvent.keyDown(box, { key: "Enter" });
    const result = await screen.findByRole("button", { name: /Lunch at/ });
    expect(api.search).toHaveBeenCalledWith({ text: "cafe lunch", limit: 30 });
    expect([...result.querySelectorAll("mark")].map((mark) => mark.textContent)).toEqual([
      "Lunch",
      "café",
    ]);
    expect(result.querySelector("i")).toBeNull();

    await fireEvent.click(result);
    expect(api.history).toHaveBeenCalledWith({
      accountId: ME,
      peer: "alice@x.org",
      around: "hit-1",
      limit: 50,
    });
    const log = await screen.findByRole("log", { name: "Conversation with Alice" });
    await vi.waitFor(() =>
      expect(log.querySelector(".highlighted")?.textContent).toContain("noon"),
    );
  });

  it("searches within the open conversation and says when nothing matches", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    api.emit([{ type: "messages", accountId: ME, messages: [message("alice@x.org", "hi")] }]);
    await fireEvent.click(
      await within(screen.getByRole("region", { name: "Conversations" })).findByRole("button", {
        name: /Alice/,
      }),
    );
    await fireEvent.click(
      await screen.findByRole("button", { name: "Search in the conversation with Alice" }),
    );
    const box = await screen.findByRole("searchbox", { name: "Search messages" });
    await fireEvent.input(box, { target: { value: "nothing" } });
    await fireEvent.keyDown(box, { key: "Enter" });
    expect(await screen.findByText("No messages match “nothing”.")).toBeTruthy();
    expect(api.search).toHaveBeenCalledWith({
      text: "nothing",
      accountId: ME,
      peer: "alice@x.org",
      limit: 30,
    });
    expect(screen.getByText(/Accounts that do not keep their history here/)).toBeTruthy();
    await fireEvent.keyDown(box, { key: "Escape" });
    expect(screen.queryByRole("searchbox", { name: "Search messages" })).toBeNull();
  });

  it("marks words case and accents aside, and cuts a long text around the first match", () => {
    expect(highlightParts("Un Café crème", "CAFE creme")).toEqual([
      { text: "Un ", match: false },
      { text: "Café", match: true },
      { text: " ", match: false },
      { text: "crème", match: true },
    ]);
    const long = `${"a ".repeat(200)}needle ${"b ".repeat(200)}`;
    const cut = snippet(long, "needle", 60);
    expect(cut).toContain("needle");
    expect(cut.startsWith("…") && cut.endsWith("…")).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(62);
  });
});

describe("catch-up", () => {
  it("shows progress while an account catches up, and why it failed", async () => {
    const snapshot = onlineSnapshot();
    snapshot.data[0]!.catchUp = { running: true, fetched: 1200 };
    const api = createFakeApi(snapshot);
    await renderApp(api);
    expect(screen.getByText(/Fetching 1,200 messages from example.org…/)).toBeTruthy();
    api.emit([
      {
        type: "catch-up",
        accountId: ME,
        progress: { running: false, fetched: 1300, error: "The server stopped answering." },
      },
    ]);
    expect(
      await screen.findByText(/Could not fetch all missed messages from example.org/),
    ).toBeTruthy();
    api.emit([{ type: "catch-up", accountId: ME, progress: { running: false, fetched: 5 } }]);
    await vi.waitFor(() => expect(screen.queryByText(/missed messages/)).toBeNull());
  });
});
