import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { AccountSummary, Envelope } from "../../preload/contract";
import SignIn from "../../renderer/lib/components/SignIn.svelte";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { account, createFakeApi, emptySnapshot, fail, ok } from "./fake-api";

async function setup(snapshot = emptySnapshot) {
  const api = createFakeApi(snapshot);
  const app = new WrenApp(api);
  await app.start();
  render(SignIn, { app });
  const jid = screen.getByLabelText("Address") as HTMLInputElement;
  const password = screen.getByLabelText("Password") as HTMLInputElement;
  return { api, app, jid, password };
}

describe("SignIn (add account, first run)", () => {
  it("shows the envelope's error readably and clears the password", async () => {
    const { api, jid, password } = await setup();
    api.addAccount = vi.fn(async () => fail("Wrong address or password.", "auth-failed"));
    await fireEvent.input(jid, { target: { value: " alice@example.org " } });
    await fireEvent.input(password, { target: { value: "hunter2" } });
    await fireEvent.submit(password.form!);

    expect(api.addAccount).toHaveBeenCalledWith({
      jid: "alice@example.org",
      password: "hunter2",
      directTls: false,
      savePassword: true,
      keepHistory: true,
    });
    expect(password.value).toBe("");
    expect((await screen.findByRole("alert")).textContent).toContain("Wrong address or password.");
    expect(jid.value.trim()).toBe("alice@example.org"); // the address stays for the retry
  });

  it("shows progress and disables the button while signing in, then adds the account", async () => {
    const { api, app, jid, password } = await setup();
    let finish!: (value: Envelope<AccountSummary>) => void;
    api.addAccount = vi.fn(
      () => new Promise<Envelope<AccountSummary>>((resolve) => (finish = resolve)),
    );
    await fireEvent.input(jid, { target: { value: "alice@example.org" } });
    await fireEvent.input(password, { target: { value: "pw" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    const button = screen.getByRole("button", { name: /Signing in/ });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.submit(password.form!);
    expect(api.addAccount).toHaveBeenCalledTimes(1);
    finish(ok(account("a1", "alice@example.org")));
    await vi.waitFor(() => expect(app.accounts.count).toBe(1));
  });

  it("passes the advanced settings and the save-password choice", async () => {
    const { api, jid, password } = await setup();
    await fireEvent.input(jid, { target: { value: "alice@example.org" } });
    await fireEvent.input(password, { target: { value: "pw" } });
    await fireEvent.click(screen.getByLabelText("Save password"));
    await fireEvent.input(screen.getByLabelText("Server host"), {
      target: { value: "xmpp.example.org" },
    });
    await fireEvent.input(screen.getByLabelText("Port"), { target: { value: "5223" } });
    await fireEvent.click(screen.getByLabelText("Use direct TLS (port 5223)"));
    await fireEvent.input(screen.getByLabelText("Resource"), { target: { value: "desk" } });
    await fireEvent.input(screen.getByLabelText("Priority"), { target: { value: "5" } });
    await fireEvent.submit(password.form!);
    expect(api.addAccount).toHaveBeenCalledWith({
      jid: "alice@example.org",
      password: "pw",
      host: "xmpp.example.org",
      port: 5223,
      directTls: true,
      resource: "desk",
      priority: 5,
      savePassword: false,
      keepHistory: true,
    });
  });

  it("keeps message history by default, says what turning it off means, and sends the choice", async () => {
    const { api, jid, password } = await setup();
    const keep = screen.getByLabelText("Keep message history on this computer") as HTMLInputElement;
    expect(keep.type).toBe("checkbox");
    expect(keep.checked).toBe(true);
    const hint = document.getElementById(keep.getAttribute("aria-describedby")!);
    expect(hint?.textContent).toBe("Off: messages are kept only until Wren quits.");

    await fireEvent.input(jid, { target: { value: "alice@example.org" } });
    await fireEvent.input(password, { target: { value: "pw" } });
    await fireEvent.click(keep);
    await fireEvent.submit(password.form!);
    expect(api.addAccount).toHaveBeenCalledWith(expect.objectContaining({ keepHistory: false }));
  });

  it("explains invalid input without calling main", async () => {
    const { api, jid, password } = await setup();
    await fireEvent.input(jid, { target: { value: "not-an-address" } });
    await fireEvent.submit(password.form!);
    expect(api.addAccount).not.toHaveBeenCalled();
    expect(screen.getByText("Enter an address like name@example.org")).toBeTruthy();
    expect(screen.getByText("Enter your password")).toBeTruthy();
    expect(jid.getAttribute("aria-invalid")).toBe("true");
  });

  it("disables Save password, with the reason, when passwords are not saved", async () => {
    await setup({ ...emptySnapshot, credentials: { kind: "none", ask: null } });
    const save = screen.getByLabelText("Save password") as HTMLInputElement;
    expect(save.disabled).toBe(true);
    expect(save.checked).toBe(false);
    expect(screen.getByText(/You chose not to save passwords/)).toBeTruthy();
  });
});
