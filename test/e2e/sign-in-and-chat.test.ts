import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerAccount, type TestAccount } from "../integration/setup/accounts";
import { nextEvent, sessionPool } from "../integration/helpers";
import type { XmppSession } from "../../main/core/session-api";
import { launchChromium, watchedPage } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";
import { escapeRegExp, signInThroughForm } from "./sign-in-form";

// The whole path a person takes: the built UI in Chromium, the preview host, the real core, a real
// Prosody, and a second real client on the other end.

const screenshots = resolve(import.meta.dirname, "../../test-output/e2e");

describe("the preview in Chromium against a real Prosody", () => {
  const server = inject("xmpp");
  const pool = sessionPool();
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;
  let alice: TestAccount;
  let bob: TestAccount;
  let carol: TestAccount;
  let bobSession: XmppSession;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    alice = await registerAccount(server.configPath);
    bob = await registerAccount(server.configPath);
    carol = await registerAccount(server.configPath);
    bobSession = await pool.signIn(bob);
    [preview, browser] = await Promise.all([startPreview(), launchChromium()]);
    page = await watchedPage(browser, { width: 1200, height: 780 }, pageErrors);
    await page.goto(preview.url);
  });

  afterAll(async () => {
    await page?.screenshot({ path: resolve(screenshots, "last-state.png") }).catch(() => {});
    await browser?.close();
    await preview?.stop();
    await pool.stopAll();
  });

  it("shows a readable error for a wrong password and keeps the address", async () => {
    await signInThroughForm(page, alice.jid, "not-the-password");
    await expect
      .poll(() => page.getByRole("alert").textContent(), { timeout: 20_000 })
      .toMatch(/password/i);
    expect(await page.getByLabel("Address", { exact: true }).inputValue()).toBe(alice.jid);
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe("");
  });

  it("signs in, adds a contact, and sees them online once they approve", async () => {
    const requested = nextEvent(bobSession, "subscriptionRequest", (jid) => jid === alice.jid);
    requested.catch(() => {}); // awaited below; a failure before then must not go unhandled
    await signInThroughForm(page, alice.jid, alice.password);
    await page.getByRole("button", { name: "Add contact" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Address", { exact: true }).fill(bob.jid);
    await dialog.getByLabel(/Name/).fill("Bob Builder");
    await dialog.getByRole("button", { name: "Add contact" }).click();

    // Bob approves (and, as clients do, asks back); Alice approves Bob's request in the UI.
    await requested;
    await bobSession.approveSubscription(alice.jid);
    await page.getByRole("button", { name: `Approve request from ${bob.jid}` }).click();

    const bobRow = page.getByRole("option", { name: /Bob Builder/ });
    await expect.poll(() => bobRow.textContent(), { timeout: 20_000 }).toContain("Bob Builder");
    await bobSession.setPresence("away", "Out for lunch");
    await expect.poll(() => bobRow.textContent(), { timeout: 20_000 }).toContain("Out for lunch");
  });

  it("exchanges messages both ways", async () => {
    await page.getByRole("option", { name: /Bob Builder/ }).click();
    const composer = page.getByRole("textbox", { name: /Message to/ });
    await expect.poll(() => composer.evaluate((el) => el.matches(":focus"))).toBe(true);

    const received = nextEvent(bobSession, "message", (message) =>
      message.body.includes("Hello Bob"),
    );
    await composer.fill("Hello Bob <b>not bold</b>");
    await composer.press("Enter");
    const [message] = await received;
    expect(message).toMatchObject({
      peer: alice.jid,
      direction: "in",
      body: "Hello Bob <b>not bold</b>",
    });
    await expect.poll(() => composer.inputValue()).toBe("");

    await bobSession.sendMessage(alice.jid, "Hi Alice! Line one\nline two");
    const log = page.getByRole("log");
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain("Hi Alice! Line one");
    // Remote text stays text: the markup Alice typed is shown literally, not as an element.
    expect(await log.textContent()).toContain("<b>not bold</b>");
    expect(await log.locator("b").count()).toBe(0);

    const texts = await log.getByText(/Hello Bob|Hi Alice/).allTextContents();
    expect(texts.findIndex((t) => t.includes("Hello Bob"))).toBeLessThan(
      texts.findIndex((t) => t.includes("Hi Alice")),
    );
    await page.screenshot({ path: resolve(screenshots, "chat.png") });
  });

  it("adds a second account through the UI and chats from both", async () => {
    await page.getByRole("button", { name: "Add account" }).click();
    await signInThroughForm(page.getByRole("dialog"), carol.jid, carol.password);
    const accounts = page.getByRole("region", { name: "Accounts" });
    await expect.poll(() => accounts.textContent(), { timeout: 20_000 }).toContain(carol.jid);
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);

    // Carol adds Bob too, so Bob becomes a contact on both accounts.
    const requested = nextEvent(bobSession, "subscriptionRequest", (jid) => jid === carol.jid);
    requested.catch(() => {}); // awaited below
    await page.getByRole("button", { name: "Add contact" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Account").selectOption({ label: carol.jid });
    await dialog.getByLabel("Address").fill(bob.jid);
    await dialog.getByRole("button", { name: "Add contact" }).click();
    await requested;
    await bobSession.approveSubscription(carol.jid);
    await page.getByRole("button", { name: `Approve request from ${bob.jid}` }).click();

    // Opening Bob asks which account to use; Carol's it is.
    await page.getByRole("option", { name: /Bob Builder/ }).click();
    const chooser = page.getByRole("dialog", { name: /Chat with .* from/ });
    await chooser.getByRole("button", { name: new RegExp(escapeRegExp(carol.jid)) }).click();

    const received = nextEvent(bobSession, "message", (m) => m.body === "Hello from Carol");
    received.catch(() => {}); // awaited below
    const composer = page.getByRole("textbox", { name: /Message to/ });
    await composer.fill("Hello from Carol");
    await composer.press("Enter");
    const [message] = await received;
    expect(message.peer).toBe(carol.jid);

    await bobSession.sendMessage(carol.jid, "Hi Carol, got it");
    const log = page.getByRole("log");
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain("Hi Carol, got it");
    // Alice's conversation with Bob is a different one and stays as it was.
    expect(await log.textContent()).not.toContain("Hello Bob");
    await page.screenshot({ path: resolve(screenshots, "two-accounts.png") });
  });

  it("sends nothing twice and reports no errors in the page", async () => {
    // Alice's new status is a marker: it reaches Bob after anything her Wren sent him before it.
    const marker = nextEvent(bobSession, "presence", (contacts) =>
      contacts.some((contact) => contact.jid === alice.jid && contact.best?.status === "marker"),
    );
    marker.catch(() => {}); // awaited below
    const status = page.getByRole("textbox", { name: "Status message", exact: true });
    await status.fill("marker");
    await status.press("Enter");
    await marker;
    expect((await bobSession.history(alice.jid, {}, 50)).map((m) => m.direction)).toEqual([
      "in",
      "out",
    ]);
    expect(pageErrors).toEqual([]);
  });
});

/** Fills the add-account form inside `scope` (the first-run screen or the "Add account" dialog). */
