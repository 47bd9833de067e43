import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "../../renderer/App.svelte";
import {
  account,
  createFakeApi,
  fail,
  manyContacts,
  ME,
  message,
  ok,
  onlineSnapshot,
  rosterItem,
  type FakeApi,
} from "./fake-api";

async function renderApp(api: FakeApi) {
  render(App, { connect: async () => api });
  return screen.findByRole("searchbox", { name: "Search contacts" });
}

describe("App", () => {
  it("shows a loading state, then a readable error when the bridge fails", async () => {
    let reject!: (error: Error) => void;
    render(App, { connect: () => new Promise((_, r) => (reject = r)) });
    expect(screen.getByText("Loading Wren…")).toBeTruthy();
    reject(new Error("Wren's bridge to the main process is missing."));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Wren's bridge to the main process is missing.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });

  it("shows the add-account screen when there is no account yet", async () => {
    render(App, { connect: async () => createFakeApi() });
    expect(await screen.findByRole("heading", { name: "Add account" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create a new account" })).toBeTruthy();
  });

  it("opens a conversation from the roster, focuses the composer and sends", async () => {
    const api = createFakeApi(
      onlineSnapshot({
        roster: [rosterItem("alice@x.org", "Alice"), rosterItem("bob@x.org", "Bob")],
      }),
    );
    api.history = vi.fn(async () => ok([message("alice@x.org", "Hi <b>you</b>")]));
    await renderApp(api);
    expect(screen.getByText("No conversation selected")).toBeTruthy();

    await fireEvent.click(screen.getByRole("option", { name: /Alice/ }));
    const composer = await screen.findByRole("textbox", { name: "Message to Alice" });
    expect(document.activeElement).toBe(composer);
    expect(await screen.findByText("Hi <b>you</b>")).toBeTruthy();

    await fireEvent.input(composer, { target: { value: "Hello!" } });
    await fireEvent.keyDown(composer, { key: "Enter" });
    expect(api.sendMessage).toHaveBeenCalledWith({
      accountId: ME,
      to: "alice@x.org",
      body: "Hello!",
    });
    const log = screen.getByRole("log");
    await vi.waitFor(() => expect(within(log).getByText("Hello!")).toBeTruthy());
  });

  it("counts unread messages on roster rows and in the title", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    api.emit([
      {
        type: "messages",
        accountId: ME,
        messages: [message("alice@x.org", "1"), message("alice@x.org", "2")],
      },
    ]);
    const row = await screen.findByRole("option", { name: /Alice/ });
    await vi.waitFor(() => expect(row.textContent).toContain("2 unread messages"));
    expect(document.title).toBe("(2) Wren");
  });

  it("focuses the search box with Ctrl+K and with /, and filters the roster", async () => {
    const { roster, presence } = manyContacts(5000);
    const api = createFakeApi(onlineSnapshot({ roster, presence }));
    await renderApp(api);
    const search = screen.getByRole("searchbox", { name: "Search contacts" });
    await fireEvent.keyDown(window, { key: "k", ctrlKey: true });
    expect(document.activeElement).toBe(search);
    (document.activeElement as HTMLElement).blur();
    await fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(search);

    await fireEvent.input(search, { target: { value: "person 4321" } });
    const listbox = screen.getByRole("listbox", { name: "Contacts" });
    expect(within(listbox).getAllByRole("option")).toHaveLength(1);
    expect(screen.getByText("1 of 5,000 contacts")).toBeTruthy();
    await fireEvent.keyDown(search, { key: "Enter" });
    expect(await screen.findByRole("textbox", { name: "Message to Person 4321" })).toBeTruthy();
  });

  it("answers subscription requests with buttons named after the JID", async () => {
    const api = createFakeApi(onlineSnapshot({ subscriptionRequests: ["carol@x.org"] }));
    await renderApp(api);
    await fireEvent.click(screen.getByRole("button", { name: "Approve request from carol@x.org" }));
    expect(api.approveSubscription).toHaveBeenCalledWith({ accountId: ME, jid: "carol@x.org" });
    await fireEvent.click(screen.getByRole("button", { name: "Deny request from carol@x.org" }));
    expect(api.denySubscription).toHaveBeenCalledWith({ accountId: ME, jid: "carol@x.org" });
    api.emit([{ type: "subscription-request-resolved", accountId: ME, jid: "carol@x.org" }]);
    await vi.waitFor(() => expect(screen.queryByText("Contact requests")).toBeNull());
  });

  it("validates the add-contact dialog, shows errors and closes with Escape", async () => {
    const api = createFakeApi(onlineSnapshot());
    api.addContact = vi.fn(async () => fail("The server refused."));
    await renderApp(api);
    await fireEvent.click(screen.getByRole("button", { name: "Add contact" }));
    const dialog = screen.getByRole("dialog", { name: "Add contact" });
    const address = within(dialog).getByLabelText("Address");
    expect(document.activeElement).toBe(address);

    await fireEvent.input(address, { target: { value: "nope" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Add contact" }));
    expect(within(dialog).getByText("Enter an address like name@example.org")).toBeTruthy();
    expect(api.addContact).not.toHaveBeenCalled();

    await fireEvent.input(address, { target: { value: "dave@x.org" } });
    await fireEvent.input(within(dialog).getByLabelText(/Name/), { target: { value: "Dave" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Add contact" }));
    expect(api.addContact).toHaveBeenCalledWith({
      accountId: ME,
      jid: "dave@x.org",
      name: "Dave",
    });
    expect((await within(dialog).findByRole("alert")).textContent).toContain("The server refused.");

    await fireEvent.keyDown(address, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("changes own presence and shows a banner while reconnecting", async () => {
    const api = createFakeApi(onlineSnapshot());
    await renderApp(api);
    await fireEvent.change(screen.getByRole("combobox", { name: "Your presence" }), {
      target: { value: "dnd" },
    });
    expect(api.setPresence).toHaveBeenCalledWith({ show: "dnd", status: "" });

    api.emit([
      {
        type: "account",
        account: account(ME, "me@example.org", {
          state: {
            state: "error",
            jid: "me@example.org",
            error: { code: "stream-closed", message: "The server closed the connection." },
          },
        }),
      },
    ]);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("me@example.org disconnected.");
    expect(alert.textContent).toContain("The server closed the connection.");
    expect(screen.getByRole("searchbox", { name: "Search contacts" })).toBeTruthy();
  });
});

describe("App with messages from strangers", () => {
  it("lists people who wrote in the conversations, and opens their conversation", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    api.emit([
      { type: "messages", accountId: ME, messages: [message("stranger@y.org", "hello?")] },
    ]);
    const section = await screen.findByRole("region", { name: "Conversations" });
    await fireEvent.click(within(section).getByRole("button", { name: /stranger/ }));
    expect(await screen.findByRole("textbox", { name: "Message to stranger" })).toBeTruthy();
    expect(screen.getByText("Not a contact")).toBeTruthy();
  });
});
