import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "../../renderer/App.svelte";
import { createFakeApi, fail, ME, message, ok, onlineSnapshot, rosterItem } from "./fake-api";

async function openAlice() {
  const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
  api.history = vi.fn(async () => ok([message("alice@x.org", "keep me?")]));
  render(App, { connect: async () => api });
  await fireEvent.click(await screen.findByRole("option", { name: /Alice/ }));
  await screen.findByText("keep me?");
  return api;
}

describe("deleting a conversation's history", () => {
  it("asks first, with Cancel focused, then deletes it and shows the conversation empty", async () => {
    const api = await openAlice();
    const button = screen.getByRole("button", { name: "Delete the history with Alice…" });
    await fireEvent.click(button);

    const dialog = await screen.findByRole("dialog", { name: "Delete the history with Alice?" });
    expect(dialog.textContent).toContain("alice@x.org");
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));

    await fireEvent.click(within(dialog).getByRole("button", { name: "Delete history" }));
    expect(api.deleteHistory).toHaveBeenCalledWith({ accountId: ME, peer: "alice@x.org" });
    await vi.waitFor(() => expect(screen.queryByText("keep me?")).toBeNull());
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it("keeps the dialog and the messages when main could not delete, with the reason", async () => {
    const api = await openAlice();
    api.deleteHistory = vi.fn(async () =>
      fail("Wren could not read or write its message history."),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Delete the history with Alice…" }));
    const dialog = await screen.findByRole("dialog");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Delete history" }));
    expect(await within(dialog).findByRole("alert")).toBeTruthy();
    expect(dialog.textContent).toContain("could not read or write its message history");
    expect(screen.getByText("keep me?")).toBeTruthy();
  });

  it("leaves everything as it was on Cancel", async () => {
    const api = await openAlice();
    await fireEvent.click(screen.getByRole("button", { name: "Delete the history with Alice…" }));
    const dialog = await screen.findByRole("dialog");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(api.deleteHistory).not.toHaveBeenCalled();
    expect(screen.getByText("keep me?")).toBeTruthy();
  });
});
