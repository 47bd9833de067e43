import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerAccount, type TestAccount } from "../integration/setup/accounts";
import { nextEvent, sessionPool } from "../integration/helpers";
import { launchChromium, watchedPage } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";
import { signInThroughForm } from "./sign-in-form";

// Conversations that last (issue #9), as a person sees them: one Wren with two accounts, the
// writer and the reader. The writer's message shows its delivery ticks; the reader's side of it
// waits in the list of conversations, unread, also after Wren restarts; and search finds it and
// opens the conversation at it.

const screenshots = resolve(import.meta.dirname, "../../test-output/e2e");
const WORDS = "the marmalade is behind the flour";

describe("conversations, ticks, unread counts and search", () => {
  const server = inject("xmpp");
  const pool = sessionPool();
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;
  let writer: TestAccount;
  let reader: TestAccount;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    [writer, reader] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    // Each in the other's contacts, named, so the page shows names rather than addresses.
    const [writing, reading] = await Promise.all([pool.signIn(writer), pool.signIn(reader)]);
    const asked = nextEvent(reading, "subscriptionRequest", (jid) => jid === writer.jid);
    await writing.addContact(reader.jid, "Reader");
    await asked;
    await reading.approveSubscription(writer.jid);
    const askedBack = nextEvent(writing, "subscriptionRequest", (jid) => jid === reader.jid);
    await reading.addContact(writer.jid, "Writer");
    await askedBack;
    await writing.approveSubscription(reader.jid);
    await pool.stopAll();

    [preview, browser] = await Promise.all([startPreview(), launchChromium()]);
    page = await watchedPage(browser, { width: 1200, height: 780 }, pageErrors);
    await page.goto(preview.url);
    await signInThroughForm(page, writer.jid, writer.password);
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Add account" }).click();
    await signInThroughForm(page.getByRole("dialog"), reader.jid, reader.password);
    await page.getByRole("dialog").waitFor({ state: "detached", timeout: 20_000 });
    await page
      .getByRole("region", { name: "Accounts" })
      .getByText(reader.jid)
      .waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await page
      ?.screenshot({ path: resolve(screenshots, "conversations-last-state.png") })
      .catch(() => {});
    await browser?.close();
    await preview?.stop();
    await pool.stopAll();
  });

  const conversations = () => page.getByRole("region", { name: "Conversations" });
  const log = () => page.getByRole("log");

  /** Both accounts online: a message then goes to a device that answers receipts. */
  async function bothOnline() {
    const accounts = page.getByRole("region", { name: "Accounts" });
    await expect
      .poll(async () => (await accounts.getByText("Connected").count()) === 2, { timeout: 30_000 })
      .toBe(true);
  }

  it("sends a message to the other account and shows its ticks", async () => {
    await bothOnline();
    await page.getByRole("option", { name: /Reader/ }).click();
    const composer = page.getByRole("textbox", { name: "Message to Reader" });
    await composer.fill(WORDS);
    await composer.press("Enter");
    const mine = log().getByRole("listitem").filter({ hasText: WORDS });
    await mine.waitFor({ timeout: 10_000 });
    // The reader's Wren is online and answers the receipt: delivered (or read, later).
    await mine.getByRole("img", { name: /^(Delivered|Read)$/ }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: resolve(screenshots, "conversations-ticks.png") });
  });

  it("lists the reader's side as unread, also after Wren restarts", async () => {
    const readerSide = () => conversations().getByRole("button", { name: /^Writer/ });
    await expect.poll(() => readerSide().textContent(), { timeout: 10_000 }).toContain("1 unread");
    expect(await readerSide().textContent()).toContain(WORDS);

    await preview.stop();
    preview = await startPreview({ dataDir: preview.dataDir });
    await page.goto(preview.url);
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => readerSide().textContent(), { timeout: 20_000 })
      .toContain("1 unread message");
    // Both sides are listed: the writer's own message is a preview there, never unread.
    const writerSide = conversations().getByRole("button", { name: /^Reader/ });
    expect(await writerSide.textContent()).toContain(`You: ${WORDS}`);
    expect(await writerSide.textContent()).not.toContain("unread");
    await page.screenshot({ path: resolve(screenshots, "conversations-after-restart.png") });
  });

  it("finds the message and opens its conversation at it", async () => {
    await page.keyboard.press("Control+f");
    const box = page.getByRole("searchbox", { name: "Search messages" });
    await box.fill("marmalade");
    const results = page.getByRole("region", { name: "Search messages" }).getByRole("listitem");
    // Kept by both accounts: the writer's copy and the reader's.
    await expect.poll(() => results.count(), { timeout: 10_000 }).toBe(2);
    const received = results.getByRole("button", { name: /^Writer/ });
    expect(await received.locator("mark").allTextContents()).toEqual(["marmalade"]);
    await page.screenshot({ path: resolve(screenshots, "conversations-search.png") });

    await received.click();
    await page.getByRole("textbox", { name: "Message to Writer" }).waitFor();
    const highlighted = log().locator(".highlighted");
    await expect.poll(() => highlighted.textContent(), { timeout: 10_000 }).toContain(WORDS);
    // In front, with the window focused: read, here and in main.
    await expect
      .poll(() =>
        conversations()
          .getByRole("button", { name: /^Writer/ })
          .textContent(),
      )
      .not.toContain("unread");
    await page.screenshot({ path: resolve(screenshots, "conversations-found.png") });
  });

  it("reports no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
