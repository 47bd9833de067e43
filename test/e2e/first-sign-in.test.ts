import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerAccount, type TestAccount } from "../integration/setup/accounts";
import { nextEvent, sessionFor, sessionPool } from "../integration/helpers";
import { launchChromium, watchedPage } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";
import { escapeRegExp, signInThroughForm } from "./sign-in-form";

// A new person's first sign-in (issue #8): the server already holds their contacts and a contact
// request, and both must show as soon as the sign-in form is sent — not only after a reload. The
// first sign-in brings the roster, and the server sends waiting requests right after its initial
// presence, so whatever is not listening yet during that sign-in loses them.

const screenshots = resolve(import.meta.dirname, "../../test-output/e2e");

/** Contacts put into the new person's roster on the server, before Wren ever sees the account. */
const CONTACT_NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing"];

describe("the first sign-in of an account that already has contacts and a request", () => {
  const server = inject("xmpp");
  const pool = sessionPool();
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;
  let person: TestAccount;
  let asker: TestAccount;
  const contacts: { name: string; account: TestAccount }[] = [];
  /** Page loads: the first sign-in must show everything without a second one. */
  let loads = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    person = await registerAccount(server.configPath);
    asker = await registerAccount(server.configPath);
    for (const name of CONTACT_NAMES) {
      contacts.push({ name, account: await registerAccount(server.configPath) });
    }

    // Another client of the same account has filled the roster and signed out again.
    const elsewhere = await pool.signIn(person);
    for (const contact of contacts) await elsewhere.addContact(contact.account.jid, contact.name);
    await elsewhere.stop();
    // Someone asked to add the person while no client of theirs was online.
    const askerSession = await pool.signIn(asker);
    await askerSession.addContact(person.jid);
    await askerSession.stop();
    // The server really holds both: a throwaway sign-in is told the roster and the request.
    const check = pool.track(sessionFor(person));
    const requested = nextEvent(check, "subscriptionRequest", (jid) => jid === asker.jid);
    requested.catch(() => {}); // awaited below; a failed start must not leave it unhandled
    await check.start();
    await requested;
    expect(
      check
        .rosterItems()
        .map((item) => item.name)
        .sort(),
    ).toEqual([...CONTACT_NAMES].sort());
    await check.stop();

    [preview, browser] = await Promise.all([startPreview(), launchChromium()]);
    page = await watchedPage(browser, { width: 1200, height: 780 }, pageErrors);
    page.on("load", () => loads++);
    await page.goto(preview.url);
  });

  afterAll(async () => {
    await page
      ?.screenshot({ path: resolve(screenshots, "first-sign-in-last-state.png") })
      .catch(() => {});
    await browser?.close();
    await preview?.stop();
    await pool.stopAll();
  });

  it("shows the contacts and the waiting request right after signing in, without a reload", async () => {
    await signInThroughForm(page, person.jid, person.password);
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });

    await expectContactsAndRequest();
    expect(loads).toBe(1);
    await page.screenshot({ path: resolve(screenshots, "first-sign-in.png") });
  });

  it("shows them again after Wren restarts on the same data", async () => {
    await preview.stop();
    preview = await startPreview({ dataDir: preview.dataDir });
    await page.goto(preview.url);
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });

    await expectContactsAndRequest();
  });

  it("reports no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });

  /** The sidebar lists every contact by name and address, and the request with its answers. */
  async function expectContactsAndRequest() {
    const sidebar = page.getByRole("complementary", { name: "Contacts and account" });
    await expect
      .poll(() => sidebar.textContent(), { timeout: 20_000 })
      .toContain(`${CONTACT_NAMES.length} contacts`);
    const list = page.getByRole("listbox", { name: "Contacts" });
    for (const { name, account } of contacts) {
      const row = list.getByRole("option", {
        name: new RegExp(`${name}.*${escapeRegExp(account.jid)}`),
      });
      await expect.poll(() => row.count()).toBe(1);
    }
    expect(await list.getByRole("option").count()).toBe(CONTACT_NAMES.length);

    const requests = page.getByRole("region", { name: /Contact requests/ });
    await expect.poll(() => requests.textContent(), { timeout: 20_000 }).toContain(asker.jid);
    const approve = requests.getByRole("button", { name: `Approve request from ${asker.jid}` });
    // Enabled only once the account is online, as the request can be answered then.
    await expect.poll(() => approve.isEnabled(), { timeout: 20_000 }).toBe(true);
    expect(
      await requests.getByRole("button", { name: `Deny request from ${asker.jid}` }).isVisible(),
    ).toBe(true);
  }
});
