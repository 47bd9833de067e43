import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type {
  AccountSummary,
  CertificateInfo,
  ConnectionSecurity,
  Envelope,
  UserError,
} from "../../preload/contract";
import App from "../../renderer/App.svelte";
import CertificateDetails from "../../renderer/lib/components/CertificateDetails.svelte";
import SignIn from "../../renderer/lib/components/SignIn.svelte";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import {
  account,
  createFakeApi,
  emptySnapshot,
  ME,
  ok,
  twoAccountSnapshot,
  WORK,
  type FakeApi,
} from "./fake-api";

const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
  ((i * 37 + 11) % 256).toString(16).toUpperCase().padStart(2, "0"),
).join(":");
const OTHER_FINGERPRINT = FINGERPRINT.replace(/^../, "00");

function certificate(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    subject: "CN=localhost",
    issuer: "CN=Wren Test CA",
    validFrom: "2024-03-01T10:00:00.000Z",
    validTo: "2026-06-03T10:00:00.000Z",
    fingerprint: FINGERPRINT,
    names: ["localhost", "127.0.0.1"],
    problem: "It is issued for localhost and 127.0.0.1, not for work.example.",
    ...overrides,
  };
}

function failingWith(error: UserError): AccountSummary {
  return account(WORK, "me@work.example", {
    state: { state: "error", jid: "me@work.example", error },
  });
}

const UNTRUSTED: UserError = {
  code: "certificate-untrusted",
  message: "Wren could not verify the certificate of work.example.",
  certificate: certificate(),
};

const CHANGED: UserError = {
  code: "certificate-changed",
  message: "work.example shows a different certificate from the one you trusted.",
  certificate: certificate({
    fingerprint: OTHER_FINGERPRINT,
    problem: "It is not the one you trusted.",
  }),
};

async function renderWith(work: AccountSummary): Promise<FakeApi> {
  const snapshot = twoAccountSnapshot();
  snapshot.accounts[1] = work;
  const api = createFakeApi(snapshot);
  render(App, { connect: async () => api });
  await screen.findByRole("searchbox", { name: "Search contacts" });
  return api;
}

function accountItem(jid: string): HTMLElement {
  const panel = screen.getByRole("region", { name: "Accounts" });
  const item = within(panel)
    .getAllByRole("listitem")
    .find((li) => li.querySelector(".jid")?.textContent === jid);
  if (!item) throw new Error(`no account ${jid}`);
  return item;
}

describe("CertificateDetails", () => {
  it("puts the problem first, then a description list with a grouped monospace fingerprint", () => {
    render(CertificateDetails, { certificate: certificate() });
    const group = screen.getByRole("group", { name: "Server certificate" });
    expect(group.firstElementChild?.textContent).toBe(certificate().problem);

    const terms = [...group.querySelectorAll("dt")].map((dt) => dt.textContent);
    expect(terms).toEqual([
      "SHA-256 fingerprint",
      "Issued to",
      "Valid for",
      "Issued by",
      "Valid from",
      "Valid until",
    ]);
    const fingerprint = group.querySelector("dd.fingerprint")!;
    const groups = [...fingerprint.querySelectorAll(".group")].map((g) => g.textContent);
    expect(groups).toHaveLength(8);
    expect(groups[0]).toMatch(/^([0-9A-F]{2}:){4}$/);
    expect(groups.join("")).toBe(FINGERPRINT);
    expect(fingerprint.textContent?.replace(/\s/g, "")).toBe(FINGERPRINT);

    const names = within(group)
      .getAllByRole("listitem")
      .map((li) => li.textContent);
    expect(names).toEqual(["localhost", "127.0.0.1"]);
    expect(group.textContent).toContain("CN=Wren Test CA");
  });

  it("shows dates in the person's locale, and says when there is none", () => {
    render(CertificateDetails, { certificate: certificate({ validTo: "" }) });
    const time = document.querySelector("time")!;
    expect(time.getAttribute("datetime")).toBe("2024-03-01T10:00:00.000Z");
    expect(time.textContent).toBe(
      new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeStyle: "short" }).format(
        Date.parse("2024-03-01T10:00:00.000Z"),
      ),
    );
    expect(document.querySelectorAll("time")).toHaveLength(1);
    expect(screen.getByText("Unknown")).toBeTruthy();
  });

  it("shows what the server sent as text, never as markup", () => {
    render(CertificateDetails, {
      certificate: certificate({
        subject: '<img src=x onerror="alert(1)">CN=evil',
        names: ["<b>bold.example</b>"],
        problem: "<i>not</i> valid",
      }),
    });
    const group = screen.getByRole("group", { name: "Server certificate" });
    expect(group.querySelector("img, b, i")).toBeNull();
    expect(group.textContent).toContain('<img src=x onerror="alert(1)">CN=evil');
    expect(group.textContent).toContain("<b>bold.example</b>");
  });
});

describe("Certificate problems in the accounts panel", () => {
  it("shows an untrusted certificate and trusts it only after a confirmation", async () => {
    const api = await renderWith(failingWith(UNTRUSTED));
    const item = accountItem("me@work.example");
    expect(item.textContent).toContain(UNTRUSTED.message);
    const disclosure = within(item).getByText("Certificate details").closest("details")!;
    await fireEvent.click(within(disclosure).getByText("Certificate details"));
    expect(disclosure.open).toBe(true);
    const details = within(disclosure).getByRole("group", { name: "Server certificate" });
    expect(details.textContent?.replace(/\s/g, "")).toContain(FINGERPRINT);

    const trust = within(item).getByRole("button", {
      name: "Trust this certificate for me@work.example…",
    });
    await fireEvent.click(trust);
    let dialog = screen.getByRole("dialog", {
      name: "Trust this certificate for me@work.example?",
    });
    expect(dialog.textContent).toMatch(/comparing the fingerprint/);
    expect(dialog.textContent).toContain("administrator");
    expect(dialog.textContent).toContain("work.example");
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));

    // Cancel: nothing trusted, and focus is back where the person was.
    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(api.trustCertificate).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(document.activeElement).toBe(trust));

    await fireEvent.click(trust);
    dialog = screen.getByRole("dialog", { name: "Trust this certificate for me@work.example?" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Trust and sign in" }));
    expect(api.trustCertificate).toHaveBeenCalledWith({
      accountId: WORK,
      fingerprint: FINGERPRINT,
    });
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    // The account is signing in again: the problem is gone, focus is on its actions.
    expect(within(accountItem("me@work.example")).queryByRole("group")).toBeNull();
    const actions = screen.getByRole("button", { name: "Actions for me@work.example" });
    await vi.waitFor(() => expect(document.activeElement).toBe(actions));
  });

  it("keeps the confirmation open with the reason when trusting fails", async () => {
    const api = await renderWith(failingWith(UNTRUSTED));
    api.trustCertificate = vi.fn(async () => ({
      ok: false as const,
      error: {
        code: "invalid-argument" as const,
        message: "That is not the certificate the server showed last.",
      },
    }));
    await fireEvent.click(
      screen.getByRole("button", { name: "Trust this certificate for me@work.example…" }),
    );
    const dialog = screen.getByRole("dialog");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Trust and sign in" }));
    expect((await within(dialog).findByRole("alert")).textContent).toContain(
      "not the certificate the server showed last",
    );
    expect(screen.getByRole("dialog")).toBe(dialog);
  });

  it("warns prominently of a changed certificate, with a secondary, confirmed way to trust it", async () => {
    const api = await renderWith({ ...failingWith(CHANGED), trustedCertificate: FINGERPRINT });
    const item = accountItem("me@work.example");
    const alert = within(item).getByRole("alert");
    expect(alert.textContent).toContain("Possible interception");
    expect(alert.textContent).toContain(CHANGED.message);
    expect(alert.textContent).toMatch(/could read your messages and password/);
    const section = alert.closest("section")!;
    expect(section.classList).toContain("alarm");
    const details = within(section).getByRole("group", { name: "Server certificate" });
    expect(details.textContent?.replace(/\s/g, "")).toContain(OTHER_FINGERPRINT);
    expect(details.textContent).toContain("It is not the one you trusted.");

    const trust = within(section).getByRole("button", {
      name: "Trust the new certificate for me@work.example…",
    });
    expect(trust.classList).not.toContain("primary");
    await fireEvent.click(trust);
    const dialog = screen.getByRole("dialog", {
      name: "Trust the new certificate for me@work.example?",
    });
    expect(dialog.textContent).toMatch(/replaces the certificate you trusted before/);
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    await fireEvent.keyDown(dialog, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(api.trustCertificate).not.toHaveBeenCalled();

    await fireEvent.click(trust);
    await fireEvent.click(
      within(screen.getByRole("dialog")).getByRole("button", { name: "Trust the new certificate" }),
    );
    expect(api.trustCertificate).toHaveBeenCalledWith({
      accountId: WORK,
      fingerprint: OTHER_FINGERPRINT,
    });
  });

  it("keeps the dialog's certificate when the account's state changes meanwhile", async () => {
    const api = await renderWith(failingWith(UNTRUSTED));
    await fireEvent.click(
      screen.getByRole("button", { name: "Trust this certificate for me@work.example…" }),
    );
    api.emit([
      {
        type: "account",
        account: account(WORK, "me@work.example", {
          state: { state: "connecting", jid: "me@work.example", error: null },
        }),
      },
    ]);
    const dialog = await screen.findByRole("dialog");
    await fireEvent.click(within(dialog).getByRole("button", { name: "Trust and sign in" }));
    expect(api.trustCertificate).toHaveBeenCalledWith({
      accountId: WORK,
      fingerprint: FINGERPRINT,
    });
  });

  it.each([
    ["auth-downgrade", "The server offered only a weaker way to sign in than before."],
    ["auth-server-unverified", "The server could not prove that it knows your password."],
  ] as const)("shows %s as a prominent warning", async (code, message) => {
    await renderWith(failingWith({ code, message }));
    const item = accountItem("me@work.example");
    const alert = within(item).getByRole("alert");
    expect(alert.textContent).toContain(message);
    expect(alert.closest("section")?.classList).toContain("alarm");
    expect(within(item).queryByRole("button", { name: /Trust/ })).toBeNull();
  });

  it("lets the person accept a refused downgrade, only after a confirmation that defaults to Cancel", async () => {
    const api = await renderWith(
      failingWith({ code: "auth-downgrade", message: "Only SCRAM-SHA-1 is offered now." }),
    );
    const item = accountItem("me@work.example");
    await fireEvent.click(
      within(item).getByRole("button", { name: "Sign in to work.example with the weaker method…" }),
    );
    const dialog = await screen.findByRole("dialog", {
      name: "Sign in to work.example with a weaker method?",
    });
    expect(document.activeElement?.textContent?.trim()).toBe("Cancel");
    expect(api.acceptWeakerSignIn).not.toHaveBeenCalled();
    await fireEvent.click(
      within(dialog).getByRole("button", { name: "Sign in with the weaker method" }),
    );
    expect(api.acceptWeakerSignIn).toHaveBeenCalledWith({ accountId: WORK });
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("offers no way around a server that could not prove itself", async () => {
    await renderWith(failingWith({ code: "auth-server-unverified", message: "Not proven." }));
    const item = accountItem("me@work.example");
    expect(within(item).queryByRole("button", { name: /weaker method/ })).toBeNull();
  });

  it("keeps other errors to one line", async () => {
    await renderWith(
      failingWith({ code: "host-not-found", message: "The server work.example was not found." }),
    );
    const item = accountItem("me@work.example");
    expect(within(item).queryByRole("alert")).toBeNull();
    expect(item.querySelector(".last-error")?.textContent).toBe(
      "The server work.example was not found.",
    );
  });
});

describe("Connection security of an online account", () => {
  const security: ConnectionSecurity = {
    tls: "TLSv1.3",
    mechanism: "SCRAM-SHA-256-PLUS",
    channelBinding: "tls-exporter",
    trustedByYou: true,
    warning: null,
  };

  it("shows a compact summary in the account's details", async () => {
    await renderWith(
      account(WORK, "me@work.example", {
        trustedCertificate: FINGERPRINT,
        state: { state: "online", jid: "me@work.example", error: null, security },
      }),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Actions for me@work.example" }));
    const menu = screen.getByRole("group", { name: "Actions for me@work.example" });
    expect(menu.textContent).toContain(
      "TLSv1.3 · SCRAM-SHA-256-PLUS (tls-exporter) · certificate trusted by you",
    );
  });

  it("shows the trusted certificate's fingerprint and lets the person forget it", async () => {
    const api = await renderWith(
      account(WORK, "me@work.example", {
        trustedCertificate: FINGERPRINT,
        state: { state: "online", jid: "me@work.example", error: null, security },
      }),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Actions for me@work.example" }));
    const menu = screen.getByRole("group", { name: "Actions for me@work.example" });
    expect(menu.textContent).toContain(`Certificate you trust: ${FINGERPRINT}`);
    await fireEvent.click(
      within(menu).getByRole("button", { name: "Forget the trusted certificate" }),
    );
    expect(api.forgetTrustedCertificate).toHaveBeenCalledWith({ accountId: WORK });
  });

  it("shows a weaker connection's warning on the account itself, not in a tooltip", async () => {
    const warning = "The server allowed only PLAIN: your password was sent to it as is (over TLS).";
    await renderWith(
      account(WORK, "me@work.example", {
        state: {
          state: "online",
          jid: "me@work.example",
          error: null,
          security: {
            ...security,
            mechanism: "PLAIN",
            channelBinding: null,
            trustedByYou: false,
            warning,
          },
        },
      }),
    );
    const item = accountItem("me@work.example");
    expect(item.textContent).toContain(warning);
    expect(within(item).getByText(warning, { exact: false }).closest("[title]")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Actions for me@work.example" }));
    const menu = screen.getByRole("group", { name: "Actions for me@work.example" });
    expect(menu.textContent).toContain("Connection: TLSv1.3 · PLAIN");
    expect(menu.textContent).not.toContain("trusted by you");
  });

  it("shows no summary while not online", async () => {
    await renderWith(
      account(WORK, "me@work.example", {
        state: { state: "connecting", jid: "me@work.example", error: null, security },
      }),
    );
    await fireEvent.click(screen.getByRole("button", { name: "Actions for me@work.example" }));
    const menu = screen.getByRole("group", { name: "Actions for me@work.example" });
    expect(menu.textContent).not.toContain("TLSv1.3");
  });
});

describe("Adding an account whose server's certificate Wren cannot verify", () => {
  async function setup() {
    const api = createFakeApi(emptySnapshot);
    const app = new WrenApp(api);
    await app.start();
    render(SignIn, { app });
    api.addAccount = vi.fn(
      async (args: { jid: string; trustedCertificate?: string }) =>
        (args.trustedCertificate === FINGERPRINT
          ? ok(account("a1", args.jid, { trustedCertificate: FINGERPRINT }))
          : { ok: false, error: UNTRUSTED }) as Envelope<AccountSummary>,
    );
    await fireEvent.input(screen.getByLabelText("Address"), {
      target: { value: "me@work.example" },
    });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw" } });
    await fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    return { api, app };
  }

  it("shows the certificate and adds the account trusting it, with the same password", async () => {
    const { api, app } = await setup();
    const offer = await screen.findByRole("region", { name: "The server's certificate" });
    expect(screen.getByRole("alert").textContent).toContain(UNTRUSTED.message);
    expect(
      within(offer)
        .getByRole("group", { name: "Server certificate" })
        .textContent?.replace(/\s/g, ""),
    ).toContain(FINGERPRINT);
    expect(offer.textContent).toContain("administrator");
    await vi.waitFor(() => expect(document.activeElement).toBe(offer));

    await fireEvent.click(
      within(offer).getByRole("button", { name: "Trust this certificate and add" }),
    );
    expect(api.addAccount).toHaveBeenLastCalledWith({
      jid: "me@work.example",
      password: "pw",
      directTls: false,
      savePassword: true,
      trustedCertificate: FINGERPRINT,
      keepHistory: true,
    });
    await vi.waitFor(() => expect(app.accounts.count).toBe(1));
    expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("");
  });

  it("withdraws the offer when the address changes", async () => {
    await setup();
    await screen.findByRole("region", { name: "The server's certificate" });
    await fireEvent.input(screen.getByLabelText("Address"), {
      target: { value: "me@other.example" },
    });
    expect(screen.queryByRole("region", { name: "The server's certificate" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Trust this certificate and add" })).toBeNull();
  });
});

describe("WrenApp.trustCertificate", () => {
  it("sends the command and applies the updated account", async () => {
    const snapshot = twoAccountSnapshot();
    snapshot.accounts[1] = failingWith(UNTRUSTED);
    const api = createFakeApi(snapshot);
    const app = new WrenApp(api);
    await app.start();
    expect(await app.trustCertificate(WORK, FINGERPRINT)).toEqual({ ok: true });
    expect(api.trustCertificate).toHaveBeenCalledWith({
      accountId: WORK,
      fingerprint: FINGERPRINT,
    });
    expect(app.accounts.get(WORK)?.trustedCertificate).toBe(FINGERPRINT);
    expect(app.accounts.get(WORK)?.state.state).toBe("connecting");
    expect(app.accounts.get(ME)?.trustedCertificate).toBeNull();
  });
});

describe("creating an account on a server whose certificate Wren cannot verify", () => {
  it("shows the certificate and asks for the form again trusting exactly that one", async () => {
    const api = createFakeApi();
    api.fetchRegistrationForm = vi
      .fn()
      .mockResolvedValueOnce({ ok: false, error: UNTRUSTED })
      .mockResolvedValueOnce(
        ok({
          formId: "f1",
          form: { kind: "legacy", title: "", instructions: "", fields: [], url: null },
        }),
      );
    render(App, { connect: async () => api });
    await fireEvent.click(await screen.findByRole("button", { name: "Create a new account" }));
    await fireEvent.input(screen.getByLabelText("Server name"), {
      target: { value: "work.example" },
    });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));

    const offer = await screen.findByRole("region", { name: "The server's certificate" });
    expect(within(offer).getByText(/not for work\.example/)).toBeTruthy();
    await fireEvent.click(
      within(offer).getByRole("button", { name: "Trust this certificate and continue" }),
    );
    expect(api.fetchRegistrationForm).toHaveBeenLastCalledWith({
      domain: "work.example",
      directTls: false,
      trustedCertificate: FINGERPRINT,
    });
  });

  it("withdraws the offer when the server name changes", async () => {
    const api = createFakeApi();
    api.fetchRegistrationForm = vi.fn(async () => ({ ok: false as const, error: UNTRUSTED }));
    render(App, { connect: async () => api });
    await fireEvent.click(await screen.findByRole("button", { name: "Create a new account" }));
    const name = screen.getByLabelText("Server name");
    await fireEvent.input(name, { target: { value: "work.example" } });
    await fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("region", { name: "The server's certificate" });
    await fireEvent.input(name, { target: { value: "other.example" } });
    expect(screen.queryByRole("region", { name: "The server's certificate" })).toBeNull();
  });
});
