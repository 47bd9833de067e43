import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { RegistrationForm } from "../../preload/contract";
import App from "../../renderer/App.svelte";
import {
  account,
  createFakeApi,
  emptySnapshot,
  ME,
  ok,
  rosterItem,
  twoAccountSnapshot,
  WORK,
  type FakeApi,
} from "./fake-api";

async function renderApp(api: FakeApi) {
  render(App, { connect: async () => api });
  return screen.findByRole("searchbox", { name: "Search contacts" });
}

async function openMenu(jid: string) {
  await fireEvent.click(screen.getByRole("button", { name: `Actions for ${jid}` }));
  return screen.getByRole("group", { name: `Actions for ${jid}` });
}

describe("Accounts in the main screen", () => {
  it("shows each account's state and last error at a glance", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[1] = account(WORK, "me@work.example", {
      state: {
        state: "error",
        jid: "me@work.example",
        error: { code: "host-not-found", message: "The server work.example was not found." },
      },
    });
    await renderApp(createFakeApi(snapshot));
    const panel = screen.getByRole("region", { name: "Accounts" });
    const items = within(panel).getAllByRole("listitem");
    expect(items[0]?.textContent).toContain("me@example.org");
    expect(items[0]?.textContent).toContain("Connected");
    expect(items[1]?.textContent).toContain("Disconnected");
    expect(items[1]?.textContent).toContain("The server work.example was not found.");
    const menu = await openMenu("me@work.example");
    expect(menu.textContent).toContain("Last error: The server work.example was not found.");
  });

  it("reconnects, goes offline and disables one account or all", async () => {
    const api = createFakeApi(twoAccountSnapshot());
    await renderApp(api);
    await fireEvent.click(within(await openMenu("me@work.example")).getByText("Reconnect now"));
    expect(api.reconnect).toHaveBeenCalledWith({ accountId: WORK });
    await fireEvent.click(within(await openMenu("me@work.example")).getByText("Go offline"));
    expect(api.goOffline).toHaveBeenCalledWith({ accountId: WORK });
    await fireEvent.click(within(await openMenu("me@example.org")).getByText("Disable"));
    expect(api.setAccountEnabled).toHaveBeenCalledWith({ accountId: ME, enabled: false });
    await fireEvent.click(screen.getByRole("button", { name: "Reconnect all" }));
    expect(api.reconnect).toHaveBeenLastCalledWith({});
    await fireEvent.click(screen.getByRole("button", { name: "Go offline on all accounts" }));
    expect(api.goOffline).toHaveBeenLastCalledWith({});
  });

  it("asks for confirmation before removing an account, and removes only after it", async () => {
    const api = createFakeApi(twoAccountSnapshot({ roster: [rosterItem("a@x.org", "Alice")] }));
    await renderApp(api);
    await fireEvent.click(
      within(await openMenu("me@example.org")).getByRole("button", { name: "Remove account" }),
    );
    const dialog = screen.getByRole("dialog", { name: "Remove me@example.org?" });
    expect(dialog.textContent).toContain("delete its saved password");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(api.removeAccount).not.toHaveBeenCalled();

    await fireEvent.click(
      within(await openMenu("me@example.org")).getByRole("button", { name: "Remove account" }),
    );
    const again = screen.getByRole("dialog", { name: "Remove me@example.org?" });
    await fireEvent.click(within(again).getByRole("button", { name: "Remove account" }));
    expect(api.removeAccount).toHaveBeenCalledWith({ accountId: ME });
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.queryByRole("option", { name: /Alice/ })).toBeNull();
    expect(screen.queryByText("me@example.org")).toBeNull();
  });

  it("keeps a certificate account's certificate, or changes it, when editing", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[0] = account(ME, "me@example.org", { authentication: "client-certificate" });
    const api = createFakeApi(snapshot);
    await renderApp(api);
    await fireEvent.click(within(await openMenu("me@example.org")).getByText("Edit…"));
    let dialog = screen.getByRole("dialog", { name: "Edit me@example.org" });
    expect(
      (within(dialog).getByLabelText("A client certificate") as HTMLInputElement).checked,
    ).toBe(true);
    expect(dialog.textContent).toContain("stays unless you choose another");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(api.updateAccount).toHaveBeenLastCalledWith(
      expect.not.objectContaining({ clientCertificate: expect.anything() }),
    );
    expect(api.updateAccount).toHaveBeenLastCalledWith(
      expect.not.objectContaining({ password: expect.anything() }),
    );

    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await fireEvent.click(within(await openMenu("me@example.org")).getByText("Edit…"));
    dialog = screen.getByRole("dialog", { name: "Edit me@example.org" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Choose certificate…" }));
    await vi.waitFor(() => expect(dialog.textContent).toContain("alice.p12"));
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(api.updateAccount).toHaveBeenLastCalledWith(
      expect.objectContaining({ accountId: ME, clientCertificate: { token: "cert-1" } }),
    );
  });

  it("asks for a password when a certificate account goes back to passwords", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[0] = account(ME, "me@example.org", { authentication: "client-certificate" });
    const api = createFakeApi(snapshot);
    await renderApp(api);
    await fireEvent.click(within(await openMenu("me@example.org")).getByText("Edit…"));
    const dialog = screen.getByRole("dialog", { name: "Edit me@example.org" });
    await fireEvent.click(within(dialog).getByLabelText("A password"));
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(dialog.textContent).toContain("Enter your password");
    expect(api.updateAccount).not.toHaveBeenCalled();
  });

  it("edits an account's settings, clearing the ones left empty", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[0] = account(ME, "me@example.org", {
      settings: { directTls: false, host: "old.example.org", resource: "desk", keepHistory: true },
    });
    const api = createFakeApi(snapshot);
    await renderApp(api);
    await fireEvent.click(within(await openMenu("me@example.org")).getByText("Edit…"));
    const dialog = screen.getByRole("dialog", { name: "Edit me@example.org" });
    expect((within(dialog).getByLabelText("Server host") as HTMLInputElement).value).toBe(
      "old.example.org",
    );
    await fireEvent.input(within(dialog).getByLabelText("Server host"), { target: { value: "" } });
    await fireEvent.input(within(dialog).getByLabelText("Priority"), { target: { value: "10" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(api.updateAccount).toHaveBeenCalledWith({
      accountId: ME,
      host: null,
      port: null,
      directTls: false,
      resource: "desk",
      priority: 10,
      keepHistory: true,
    });
  });

  it("shows whether an account keeps its message history, and changes it", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[1] = account(WORK, "me@work.example", {
      settings: { directTls: false, keepHistory: false },
    });
    const api = createFakeApi(snapshot);
    await renderApp(api);
    const label = "Keep message history on this computer";

    await fireEvent.click(within(await openMenu("me@work.example")).getByText("Edit…"));
    let dialog = screen.getByRole("dialog", { name: "Edit me@work.example" });
    const off = within(dialog).getByLabelText(label) as HTMLInputElement;
    expect(off.checked).toBe(false);
    await fireEvent.click(off);
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(api.updateAccount).toHaveBeenLastCalledWith(
      expect.objectContaining({ accountId: WORK, keepHistory: true }),
    );

    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await fireEvent.click(within(await openMenu("me@example.org")).getByText("Edit…"));
    dialog = screen.getByRole("dialog", { name: "Edit me@example.org" });
    const on = within(dialog).getByLabelText(label) as HTMLInputElement;
    expect(on.checked).toBe(true);
    await fireEvent.click(on);
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(api.updateAccount).toHaveBeenLastCalledWith(
      expect.objectContaining({ accountId: ME, keepHistory: false }),
    );
  });

  it("sends from the conversation's account, and asks once which account for a shared contact", async () => {
    const shared = { roster: [rosterItem("alice@x.org", "Alice")] };
    const api = createFakeApi(
      twoAccountSnapshot(shared, {
        roster: [rosterItem("alice@x.org", "Alice"), rosterItem("bob@x.org", "Bob")],
      }),
    );
    await renderApp(api);
    const alice = screen.getByRole("option", { name: /Alice/ });
    expect(alice.textContent).toContain("on me@example.org");
    expect(alice.textContent).toContain("on me@work.example");

    await fireEvent.click(alice);
    const chooser = screen.getByRole("dialog", { name: "Chat with alice@x.org from…" });
    await fireEvent.click(within(chooser).getByRole("button", { name: "me@work.example" }));
    const composer = await screen.findByRole("textbox", { name: "Message to Alice" });
    await fireEvent.input(composer, { target: { value: "Hi" } });
    await fireEvent.keyDown(composer, { key: "Enter" });
    expect(api.sendMessage).toHaveBeenCalledWith({
      accountId: WORK,
      to: "alice@x.org",
      body: "Hi",
    });

    // Remembered: no chooser the second time.
    await fireEvent.click(screen.getByRole("option", { name: /Bob/ }));
    await fireEvent.click(screen.getByRole("option", { name: /Alice/ }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(await screen.findByRole("textbox", { name: "Message to Alice" })).toBeTruthy();
    const conversation = screen.getByRole("region", { name: "Conversation with Alice" });
    expect(conversation.textContent).toContain("Using me@work.example");
  });

  it("groups the roster by account on request", async () => {
    await renderApp(
      createFakeApi(
        twoAccountSnapshot(
          { roster: [rosterItem("a@x.org", "Ann")] },
          { roster: [rosterItem("b@x.org", "Ben")] },
        ),
      ),
    );
    const listbox = screen.getByRole("listbox", { name: "Contacts" });
    expect(within(listbox).getAllByRole("option")).toHaveLength(2);
    await fireEvent.click(screen.getByLabelText("Group by account"));
    const text = listbox.textContent ?? "";
    expect(text.indexOf("me@example.org")).toBeLessThan(text.indexOf("Ann"));
    expect(text.indexOf("Ann")).toBeLessThan(text.indexOf("me@work.example"));
    expect(text.indexOf("me@work.example")).toBeLessThan(text.indexOf("Ben"));
    expect(within(listbox).getAllByRole("option")).toHaveLength(2);
  });
});

describe("Password and credential prompts", () => {
  it("asks where to keep passwords, cannot be dismissed with Escape, and sends the choice", async () => {
    const api = createFakeApi({
      ...emptySnapshot,
      credentials: {
        kind: null,
        ask: {
          reason: "No keychain is available on this system.",
          options: ["safe-storage", "none"],
        },
      },
    });
    render(App, { connect: async () => api });
    const dialog = await screen.findByRole("dialog", {
      name: "Where should Wren keep your passwords?",
    });
    expect(dialog.textContent).toContain("No keychain is available on this system.");
    await fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.getByRole("dialog")).toBe(dialog);
    expect(within(dialog).queryByRole("button", { name: "Use the system keychain" })).toBeNull();
    await fireEvent.click(within(dialog).getByRole("button", { name: "Don't save passwords" }));
    expect(api.chooseCredentialStore).toHaveBeenCalledWith({ kind: "none" });
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect((screen.getByLabelText("Save password") as HTMLInputElement).disabled).toBe(true);
  });

  it("asks for the password of an account that needs one, and connects with it", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[1] = account(WORK, "me@work.example", {
      needsPassword: true,
      state: { state: "offline", jid: "me@work.example", error: null },
    });
    const api = createFakeApi(snapshot);
    await renderApp(api);
    const dialog = await screen.findByRole("dialog", { name: "Password for me@work.example" });
    const input = within(dialog).getByLabelText("Password") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "secret" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Connect" }));
    expect(api.updateAccount).toHaveBeenCalledWith({
      accountId: WORK,
      password: "secret",
      savePassword: true,
    });
    expect(input.value).toBe("");
  });
});

describe("Registration (XEP-0077)", () => {
  const form: RegistrationForm = {
    kind: "data-form",
    title: "Create an account on example.org",
    instructions: "Fill in the form.\nBe nice.",
    url: "https://example.org/register",
    fields: [
      {
        var: "FORM_TYPE",
        type: "hidden",
        label: "",
        description: "",
        required: false,
        options: [],
        values: ["jabber:iq:register"],
      },
      {
        var: "",
        type: "fixed",
        label: "",
        description: "",
        required: false,
        options: [],
        values: ["<b>Welcome</b>"],
      },
      {
        var: "username",
        type: "text-single",
        label: "Username",
        description: "Your name here",
        required: true,
        options: [],
        values: [],
      },
      {
        var: "password",
        type: "text-private",
        label: "Password",
        description: "",
        required: true,
        options: [],
        values: [],
      },
      {
        var: "tos",
        type: "boolean",
        label: "I accept the rules",
        description: "",
        required: true,
        options: [],
        values: ["0"],
      },
      {
        var: "lang",
        type: "list-single",
        label: "Language",
        description: "",
        required: false,
        options: [
          { label: "English", value: "en" },
          { label: "Deutsch", value: "de" },
        ],
        values: ["en"],
      },
      {
        var: "topics",
        type: "list-multi",
        label: "Topics",
        description: "",
        required: false,
        options: [
          { label: "News", value: "news" },
          { label: "Sport", value: "sport" },
        ],
        values: ["news"],
      },
      {
        var: "bio",
        type: "text-multi",
        label: "About you",
        description: "",
        required: false,
        options: [],
        values: [],
      },
      {
        var: "buddy",
        type: "jid-single",
        label: "Referrer",
        description: "",
        required: false,
        options: [],
        values: [],
      },
      {
        var: "friends",
        type: "jid-multi",
        label: "Friends",
        description: "",
        required: false,
        options: [],
        values: [],
      },
    ],
  };

  it("renders each field type, requires required ones, and submits the values", async () => {
    const api = createFakeApi();
    api.fetchRegistrationForm = vi.fn(async () => ok({ formId: "f1", form }));
    render(App, { connect: async () => api });
    await fireEvent.click(await screen.findByRole("button", { name: "Create a new account" }));
    await fireEvent.input(screen.getByLabelText("Server name"), {
      target: { value: "example.org" },
    });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    expect(api.fetchRegistrationForm).toHaveBeenCalledWith({
      domain: "example.org",
      directTls: false,
    });

    const heading = await screen.findByRole("heading", {
      name: "Create an account on example.org",
    });
    const formEl = heading.closest("form")!;
    expect(formEl.textContent).toContain("<b>Welcome</b>"); // fixed text, as text
    expect(formEl.textContent).toContain("Your name here");
    expect(within(formEl).queryByDisplayValue("jabber:iq:register")).toBeNull(); // hidden
    await fireEvent.click(
      within(formEl).getByRole("button", { name: "https://example.org/register" }),
    );
    expect(api.openExternal).toHaveBeenCalledWith({ url: "https://example.org/register" });

    await fireEvent.click(within(formEl).getByRole("button", { name: "Create account" }));
    expect(api.submitRegistration).not.toHaveBeenCalled();
    expect(
      within(formEl)
        .getByLabelText(/Username/)
        .getAttribute("aria-invalid"),
    ).toBe("true");

    await fireEvent.input(within(formEl).getByLabelText(/Username/), {
      target: { value: "newbie" },
    });
    const password = within(formEl).getByLabelText(/^Password/) as HTMLInputElement;
    expect(password.type).toBe("password");
    await fireEvent.input(password, { target: { value: "pw" } });
    await fireEvent.click(within(formEl).getByLabelText(/I accept the rules/));
    await fireEvent.change(within(formEl).getByLabelText("Language"), { target: { value: "de" } });
    await fireEvent.click(within(formEl).getByLabelText("Sport"));
    await fireEvent.input(within(formEl).getByLabelText("About you"), {
      target: { value: "a\nb" },
    });
    await fireEvent.input(within(formEl).getByLabelText("Referrer"), {
      target: { value: "x@y.org" },
    });
    await fireEvent.input(within(formEl).getByLabelText("Friends"), {
      target: { value: "a@y.org\n\n b@y.org " },
    });
    await fireEvent.click(within(formEl).getByRole("button", { name: "Create account" }));
    expect(api.submitRegistration).toHaveBeenCalledWith({
      formId: "f1",
      savePassword: true,
      values: {
        FORM_TYPE: "jabber:iq:register",
        username: "newbie",
        password: "pw",
        tos: "1",
        lang: "de",
        topics: ["news", "sport"],
        bio: ["a", "b"],
        buddy: "x@y.org",
        friends: ["a@y.org", "b@y.org"],
      },
    });
    // The new account takes Wren to the main screen.
    expect(await screen.findByRole("searchbox", { name: "Search contacts" })).toBeTruthy();
    expect(api.cancelRegistration).not.toHaveBeenCalled();
  });

  it("cancels the server's form when going back", async () => {
    const api = createFakeApi();
    api.fetchRegistrationForm = vi.fn(async () => ok({ formId: "f2", form }));
    render(App, { connect: async () => api });
    await fireEvent.click(await screen.findByRole("button", { name: "Create a new account" }));
    await fireEvent.input(screen.getByLabelText("Server name"), {
      target: { value: "example.org" },
    });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("heading", { name: "Create an account on example.org" });
    await fireEvent.click(screen.getByRole("button", { name: "Back" }));
    expect(api.cancelRegistration).toHaveBeenCalledWith({ formId: "f2" });
  });
});
