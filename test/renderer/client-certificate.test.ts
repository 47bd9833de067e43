import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type {
  AccountSummary,
  ClientCertificatePick,
  Envelope,
  UserError,
} from "../../preload/contract";
import SignIn from "../../renderer/lib/components/SignIn.svelte";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { account, createFakeApi, emptySnapshot, fail, ok } from "./fake-api";

async function setup() {
  const api = createFakeApi(emptySnapshot);
  const app = new WrenApp(api);
  await app.start();
  const view = render(SignIn, { app });
  await fireEvent.input(screen.getByLabelText("Address"), {
    target: { value: "alice@example.org" },
  });
  await fireEvent.click(screen.getByLabelText("A client certificate"));
  return { api, app, view };
}

/** The answers main gives, one per call. */
function answers(api: ReturnType<typeof createFakeApi>, ...replies: ClientCertificatePick[]) {
  api.pickClientCertificate = vi.fn(async () => ok(replies.shift()!));
}

const ready: ClientCertificatePick = {
  status: "ready",
  token: "t1",
  fileName: "alice.p12",
  subject: "CN=alice@example.org, O=Example",
  validTo: "2030-01-01T12:00:00.000Z",
};

const chooseButton = () => screen.getByRole("button", { name: /^Choose (another )?certificate…$/ });

describe("Adding an account that signs in with a client certificate", () => {
  it("offers the choice, then signs in with the token main gave, never a password", async () => {
    const { api } = await setup();
    expect(screen.queryByLabelText("Password")).toBeNull();
    expect(screen.getByLabelText("Save certificate")).toBeTruthy();
    const group = screen.getByRole("group", { name: "Client certificate" });
    await fireEvent.click(within(group).getByRole("button", { name: "Choose certificate…" }));
    expect(api.pickClientCertificate).toHaveBeenCalledExactlyOnceWith({});
    await vi.waitFor(() => expect(group.textContent).toContain("alice.p12"));
    expect(group.textContent).toContain("Issued to CN=alice@example.org");
    expect(group.textContent).toContain("Valid until");
    expect(chooseButton().textContent).toContain("Choose another certificate…");

    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(api.addAccount).toHaveBeenCalledExactlyOnceWith({
      jid: "alice@example.org",
      clientCertificate: { token: "cert-1" },
      directTls: false,
      savePassword: true,
      keepHistory: true,
    });
  });

  it("asks for the passphrase of a locked file, and says when it is wrong", async () => {
    const { api } = await setup();
    answers(
      api,
      { status: "needs-passphrase", token: "t1", fileName: "alice.p12", problem: null },
      {
        status: "needs-passphrase",
        token: "t1",
        fileName: "alice.p12",
        problem: "The passphrase for the certificate file is wrong.",
      },
      ready,
    );
    await fireEvent.click(chooseButton());
    const passphrase = (await screen.findByLabelText(
      "Passphrase for alice.p12",
    )) as HTMLInputElement;
    await vi.waitFor(() => expect(document.activeElement).toBe(passphrase));

    // Enter unlocks the file; it does not send the form.
    await fireEvent.input(passphrase, { target: { value: "open sesame" } });
    await fireEvent.keyDown(passphrase, { key: "Enter" });
    expect(api.pickClientCertificate).toHaveBeenLastCalledWith({
      token: "t1",
      passphrase: "open sesame",
    });
    expect(api.addAccount).not.toHaveBeenCalled();
    expect((await screen.findByRole("alert")).textContent).toBe(
      "The passphrase for the certificate file is wrong.",
    );
    expect(passphrase.value).toBe("");
    expect(passphrase.getAttribute("aria-invalid")).toBe("true");

    await fireEvent.input(passphrase, { target: { value: "sesame" } });
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    expect(api.pickClientCertificate).toHaveBeenLastCalledWith({
      token: "t1",
      passphrase: "sesame",
    });
    await vi.waitFor(() => expect(screen.queryByLabelText("Passphrase for alice.p12")).toBeNull());
    expect(screen.getByRole("group", { name: "Client certificate" }).textContent).toContain(
      "CN=alice@example.org",
    );
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(api.addAccount).toHaveBeenCalledWith(
      expect.objectContaining({ clientCertificate: { token: "t1" } }),
    );
  });

  it("does not send an empty passphrase", async () => {
    const { api } = await setup();
    answers(api, { status: "needs-passphrase", token: "t1", fileName: "a.pfx", problem: null });
    await fireEvent.click(chooseButton());
    await screen.findByLabelText("Passphrase for a.pfx");
    await fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    expect(api.pickClientCertificate).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("alert").textContent).toMatch(/Enter the passphrase/);
  });

  it("asks for the private key of a certificate that came without one", async () => {
    const { api } = await setup();
    answers(
      api,
      { status: "needs-key", token: "t1", fileName: "alice.crt", subject: "CN=a", problem: null },
      {
        status: "needs-key",
        token: "t1",
        fileName: "alice.crt",
        subject: "CN=a",
        problem: "The private key does not belong to the certificate.",
      },
      { ...ready, fileName: "alice.crt" },
    );
    await fireEvent.click(chooseButton());
    const keyButton = await screen.findByRole("button", { name: "Choose key file…" });
    await vi.waitFor(() => expect(document.activeElement).toBe(keyButton));
    expect(keyButton.getAttribute("aria-describedby")).toBeTruthy();
    await fireEvent.click(keyButton);
    expect(api.pickClientCertificate).toHaveBeenLastCalledWith({ token: "t1" });
    expect((await screen.findByRole("alert")).textContent).toMatch(/does not belong/);
    await fireEvent.click(screen.getByRole("button", { name: "Choose key file…" }));
    await vi.waitFor(() =>
      expect(screen.queryByRole("button", { name: "Choose key file…" })).toBeNull(),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(api.addAccount).toHaveBeenCalledWith(
      expect.objectContaining({ clientCertificate: { token: "t1" } }),
    );
  });

  it("will not sign in before a certificate is chosen, and says so at the button", async () => {
    const { api } = await setup();
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(api.addAccount).not.toHaveBeenCalled();
    const button = chooseButton();
    expect(document.activeElement).toBe(button);
    const hint = document.getElementById(button.getAttribute("aria-describedby")!);
    expect(hint?.textContent).toBe("Choose your certificate");
  });

  it("shows main's error readably, and changes nothing when the dialog is cancelled", async () => {
    const { api } = await setup();
    answers(api, { status: "cancelled" });
    await fireEvent.click(chooseButton());
    expect(screen.queryByRole("alert")).toBeNull();
    api.pickClientCertificate = vi.fn(async () => fail("Wren cannot use this certificate file."));
    await fireEvent.click(chooseButton());
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Wren cannot use this certificate file.",
    );
  });

  it("lets main forget a certificate that is replaced or no longer wanted", async () => {
    const { api, view } = await setup();
    answers(api, ready, { ...ready, token: "t2", fileName: "bob.p12" });
    await fireEvent.click(chooseButton());
    await screen.findByText("alice.p12");
    await fireEvent.click(chooseButton());
    await screen.findByText("bob.p12");
    expect(api.discardClientCertificate).toHaveBeenCalledExactlyOnceWith({ token: "t1" });

    // Back to a password: the certificate is forgotten, and the password is what is sent.
    await fireEvent.click(screen.getByLabelText("A password"));
    expect(api.discardClientCertificate).toHaveBeenLastCalledWith({ token: "t2" });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(api.addAccount).toHaveBeenCalledWith(
      expect.not.objectContaining({ clientCertificate: expect.anything() }),
    );
    view.unmount();
  });

  it("trusts the server's certificate and adds with the same client certificate", async () => {
    const { api } = await setup();
    const fingerprint = Array.from({ length: 32 }, () => "AB").join(":");
    const untrusted: UserError = {
      code: "certificate-untrusted",
      message: "Wren cannot verify the server.",
      certificate: {
        subject: "CN=example.org",
        issuer: "CN=Someone",
        validFrom: "",
        validTo: "",
        fingerprint,
        names: ["example.org"],
        problem: "Nobody Wren trusts vouches for it.",
      },
    };
    api.addAccount = vi.fn(
      async (args: { jid: string; trustedCertificate?: string }) =>
        (args.trustedCertificate
          ? ok(account("a1", args.jid))
          : { ok: false, error: untrusted }) as Envelope<AccountSummary>,
    );
    await fireEvent.click(chooseButton());
    await screen.findByText("alice.p12");
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await fireEvent.click(
      await screen.findByRole("button", { name: "Trust this certificate and add" }),
    );
    expect(api.addAccount).toHaveBeenLastCalledWith({
      jid: "alice@example.org",
      clientCertificate: { token: "cert-1" },
      directTls: false,
      savePassword: true,
      trustedCertificate: fingerprint,
      keepHistory: true,
    });
  });

  it("shows a failed sign-in and keeps the chosen certificate for the retry", async () => {
    const { api } = await setup();
    api.addAccount = vi.fn(async () => fail("The server did not accept the certificate."));
    await fireEvent.click(chooseButton());
    await screen.findByText("alice.p12");
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toContain("did not accept");
    expect(screen.getByText("alice.p12")).toBeTruthy();
    await vi.waitFor(() => expect(document.activeElement).toBe(chooseButton()));
    expect(api.discardClientCertificate).not.toHaveBeenCalled();
  });
});
