import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { XmppSession } from "../../main/core/session-api";
import { registerAccount, type TestAccount } from "../integration/setup/accounts";
import { nextEvent, sessionPool } from "../integration/helpers";
import { launchChromium, watchedPage } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";
import { signInThroughForm } from "./sign-in-form";

// Conversations that last (issue #9): what was said is there again after Wren restarts, and is
// gone for good once the person deleted it.

const screenshots = resolve(import.meta.dirname, "../../test-output/e2e");

describe("a conversation's history across restarts", () => {
  const server = inject("xmpp");
  const pool = sessionPool();
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;
  let person: TestAccount;
  let friend: TestAccount;
  let friendSession: XmppSession;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    [person, friend] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    const elsewhere = await pool.signIn(person);
    await elsewhere.addContact(friend.jid, "Friend");
    await elsewhere.stop();
    friendSession = await pool.signIn(friend);

    [preview, browser] = await Promise.all([startPreview(), launchChromium()]);
    page = await watchedPage(browser, { width: 1200, height: 780 }, pageErrors);
    await page.goto(preview.url);
    await signInThroughForm(page, person.jid, person.password);
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });
  });

  afterAll(async () => {
    await page
      ?.screenshot({ path: resolve(screenshots, "history-last-state.png") })
      .catch(() => {});
    await browser?.close();
    await preview?.stop();
    await pool.stopAll();
  });

  const log = () => page.getByRole("log");

  async function openFriend() {
    await page.getByRole("option", { name: /Friend/ }).click();
    await page.getByRole("textbox", { name: "Message to Friend" }).waitFor();
  }

  async function restart() {
    await preview.stop();
    preview = await startPreview({ dataDir: preview.dataDir });
    await page.goto(preview.url);
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });
  }

  it("shows a conversation again after Wren restarts", async () => {
    // Wren must be online before the friend writes, or the server keeps it offline for later.
    await expect
      .poll(() => page.getByRole("option", { name: /Friend/ }).count(), { timeout: 20_000 })
      .toBe(1);
    await openFriend();
    await friendSession.sendMessage(person.jid, "kept for later");
    await log().getByText("kept for later").waitFor({ timeout: 20_000 });
    const composer = page.getByRole("textbox", { name: "Message to Friend" });
    // The friend getting the reply shows Wren sent (and kept) it.
    const replied = nextEvent(friendSession, "message", (message) => message.body === "my reply");
    replied.catch(() => {}); // awaited below
    await composer.fill("my reply");
    await composer.press("Enter");
    await replied;

    await restart();
    await openFriend();
    await log().getByText("my reply").waitFor({ timeout: 20_000 });
    const texts = await log().getByRole("listitem").allTextContents();
    const order = ["kept for later", "my reply"].map((text) =>
      texts.findIndex((item) => item.includes(text)),
    );
    expect(order[0]).toBeGreaterThanOrEqual(0);
    expect(order[1]).toBeGreaterThan(order[0]!);
    await page.screenshot({ path: resolve(screenshots, "history-after-restart.png") });
  });

  it("forgets a deleted conversation, also after the next restart", async () => {
    await page.getByRole("button", { name: "Delete the history with Friend…" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the history with Friend?" });
    await dialog.getByRole("button", { name: "Delete history" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await log().getByText("kept for later").count()).toBe(0);

    await restart();
    await openFriend();
    // A new message arrives after the deletion: once it shows, the old ones would have too.
    await friendSession.sendMessage(person.jid, "after the deletion");
    await log().getByText("after the deletion").waitFor({ timeout: 20_000 });
    expect(await log().getByText("kept for later").count()).toBe(0);
    expect(await log().getByText("my reply").count()).toBe(0);
  });

  it("reports no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
