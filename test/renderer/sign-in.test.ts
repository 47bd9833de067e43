import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { Envelope } from "../../preload/contract";
import SignIn from "../../renderer/lib/components/SignIn.svelte";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { createFakeApi, fail, ok } from "./fake-api";

function setup() {
  const api = createFakeApi();
  const app = new WrenApp(api);
  render(SignIn, { app });
  const jid = screen.getByLabelText("Address") as HTMLInputElement;
  const password = screen.getByLabelText("Password") as HTMLInputElement;
  return { api, app, jid, password };
}

describe("SignIn", () => {
  it("shows the envelope's error readably and clears the password", async () => {
    const { api, jid, password } = setup();
    api.signIn = vi.fn(async () => fail("Wrong address or password.", "auth-failed"));
    await fireEvent.input(jid, { target: { value: " alice@example.org " } });
    await fireEvent.input(password, { target: { value: "hunter2" } });
    await fireEvent.submit(password.form!);

    expect(api.signIn).toHaveBeenCalledWith({
      jid: "alice@example.org",
      password: "hunter2",
      directTls: false,
    });
    expect(password.value).toBe("");
    expect((await screen.findByRole("alert")).textContent).toContain("Wrong address or password.");
    expect(jid.value.trim()).toBe("alice@example.org"); // the address stays for the retry
  });

  it("shows progress and disables the button while signing in", async () => {
    const { api, jid, password } = setup();
    let finish!: (value: Envelope<{ jid: string }>) => void;
    api.signIn = vi.fn(
      () => new Promise<Envelope<{ jid: string }>>((resolve) => (finish = resolve)),
    );
    await fireEvent.input(jid, { target: { value: "alice@example.org" } });
    await fireEvent.input(password, { target: { value: "pw" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    const button = screen.getByRole("button", { name: /Signing in/ });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.submit(password.form!);
    expect(api.signIn).toHaveBeenCalledTimes(1);
    finish(ok({ jid: "alice@example.org" }));
    expect(
      ((await screen.findByRole("button", { name: "Sign in" })) as HTMLButtonElement).disabled,
    ).toBe(false);
  });

  it("passes the advanced settings", async () => {
    const { api, jid, password } = setup();
    await fireEvent.input(jid, { target: { value: "alice@example.org" } });
    await fireEvent.input(password, { target: { value: "pw" } });
    await fireEvent.input(screen.getByLabelText("Server host"), {
      target: { value: "xmpp.example.org" },
    });
    await fireEvent.input(screen.getByLabelText("Port"), { target: { value: "5223" } });
    await fireEvent.click(screen.getByLabelText("Use direct TLS (port 5223)"));
    await fireEvent.submit(password.form!);
    expect(api.signIn).toHaveBeenCalledWith({
      jid: "alice@example.org",
      password: "pw",
      host: "xmpp.example.org",
      port: 5223,
      directTls: true,
    });
  });

  it("explains invalid input without calling main", async () => {
    const { api, jid, password } = setup();
    await fireEvent.input(jid, { target: { value: "not-an-address" } });
    await fireEvent.submit(password.form!);
    expect(api.signIn).not.toHaveBeenCalled();
    expect(screen.getByText("Enter an address like name@example.org")).toBeTruthy();
    expect(screen.getByText("Enter your password")).toBeTruthy();
    expect(jid.getAttribute("aria-invalid")).toBe("true");
  });
});
