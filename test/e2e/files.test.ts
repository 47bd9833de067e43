import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerAccount, type TestAccount } from "../integration/setup/accounts";
import { nextEvent, sessionPool } from "../integration/helpers";
import { launchChromium, watchedPage } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";
import { signInThroughForm } from "./sign-in-form";

// Files as people send them (issue #10): two Wrens, each in its own preview, one per account.
// Alice drops files the way a desktop does — a real `drop` event carrying a DataTransfer with
// File objects — onto the open conversation and onto Bob in her contact list; the preview streams
// the bytes to its host, which uploads them to Prosody's http_file_share. Bob's Wren shows the
// file card (with the image's preview) and saves the file, byte for byte.

const screenshots = resolve(import.meta.dirname, "../../test-output/e2e");
const IMAGE = resolve(import.meta.dirname, "../../assets/icons/128x128.png");
const PAGE_HELPERS = readFileSync(resolve(import.meta.dirname, "page-files.js"), "utf8");

describe("sending and receiving files through the preview", () => {
  const server = inject("xmpp");
  const pool = sessionPool();
  let alicePreview: PreviewProcess;
  let bobPreview: PreviewProcess;
  let browser: Browser;
  let alicePage: Page;
  let bobPage: Page;
  let alice: TestAccount;
  let bob: TestAccount;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    // Each already in the other's contacts, named: the server holds them when Wren first signs in.
    const [aliceSession, bobSession] = await Promise.all([pool.signIn(alice), pool.signIn(bob)]);
    const asked = nextEvent(bobSession, "subscriptionRequest", (jid) => jid === alice.jid);
    await aliceSession.addContact(bob.jid, "Bob");
    await asked;
    await bobSession.approveSubscription(alice.jid);
    const askedBack = nextEvent(aliceSession, "subscriptionRequest", (jid) => jid === bob.jid);
    await bobSession.addContact(alice.jid, "Alice");
    await askedBack;
    await aliceSession.approveSubscription(bob.jid);
    await pool.stopAll();

    [alicePreview, bobPreview, browser] = await Promise.all([
      startPreview(),
      startPreview(),
      launchChromium(),
    ]);
    [alicePage, bobPage] = await Promise.all([
      watchedPage(browser, { width: 1200, height: 800 }, pageErrors),
      watchedPage(browser, { width: 1200, height: 800 }, pageErrors),
    ]);
    await Promise.all([
      alicePage.addInitScript({ content: PAGE_HELPERS }),
      bobPage.addInitScript({ content: PAGE_HELPERS }),
    ]);
    await Promise.all([alicePage.goto(alicePreview.url), bobPage.goto(bobPreview.url)]);
    await Promise.all([
      signInThroughForm(alicePage, alice.jid, alice.password),
      signInThroughForm(bobPage, bob.jid, bob.password),
    ]);
    for (const page of [alicePage, bobPage]) {
      const accounts = page.getByRole("region", { name: "Accounts" });
      await accounts.getByText("Connected").waitFor({ timeout: 30_000 });
    }
  });

  afterAll(async () => {
    await alicePage?.screenshot({ path: resolve(screenshots, "files-sender.png") }).catch(() => {});
    await bobPage?.screenshot({ path: resolve(screenshots, "files-receiver.png") }).catch(() => {});
    await browser?.close();
    await Promise.all([alicePreview?.stop(), bobPreview?.stop()]);
    await pool.stopAll();
  });

  it("sends an image dropped onto the conversation; the other side shows its preview", async () => {
    await alicePage.getByRole("option", { name: /Bob/ }).click();
    const conversation = alicePage.getByRole("region", { name: "Conversation with Bob" });
    await conversation.waitFor();

    await dropFiles(conversation, [
      { name: "wren.png", type: "image/png", bytes: await readFile(IMAGE) },
    ]);

    await alicePage
      .getByRole("log")
      .getByRole("group", { name: "File: wren.png" })
      .waitFor({ timeout: 20_000 });
    expect(await progressBarsSeen(alicePage)).toContainEqual(expect.stringMatching(/wren\.png/));

    await bobPage.getByRole("option", { name: /Alice/ }).click();
    const card = bobPage.getByRole("log").getByRole("group", { name: "File: wren.png" });
    await card.waitFor({ timeout: 20_000 });
    // Fetched by Bob's Wren (main), decoded in the page: the picture is 128 by 128 pixels.
    const image = card.getByRole("img", { name: "Image: wren.png" });
    await image.waitFor({ timeout: 20_000 });
    expect(
      await image
        .locator("canvas")
        .evaluate((canvas) => [canvas.getAttribute("width"), canvas.getAttribute("height")]),
    ).toEqual(["128", "128"]);
  });

  it("sends a file dropped onto a contact in the list; the other side downloads it whole", async () => {
    const bytes = randomBytes(700 * 1024);
    const bobRow = alicePage.getByRole("option", { name: /Bob/ });

    await dropFiles(bobRow, [{ name: "report.bin", type: "application/octet-stream", bytes }]);

    await alicePage
      .getByRole("log")
      .getByRole("group", { name: "File: report.bin" })
      .waitFor({ timeout: 30_000 });
    expect(await progressBarsSeen(alicePage)).toContainEqual(expect.stringMatching(/report\.bin/));

    const card = bobPage.getByRole("log").getByRole("group", { name: "File: report.bin" });
    await card.waitFor({ timeout: 20_000 });
    await card.getByRole("button", { name: /^Download/ }).click();
    await card.getByText(/Saved as/).waitFor({ timeout: 30_000 });
    const saved = join(bobPreview.dataDir, "Downloads", "report.bin");
    expect((await readFile(saved)).equals(bytes)).toBe(true);

    await card.getByRole("button", { name: /^Show in folder/ }).click();
    await expect
      .poll(() => readFile(join(bobPreview.dataDir, "preview-shell.jsonl"), "utf8").catch(() => ""))
      .toContain(JSON.stringify({ action: "show-in-folder", path: saved }));
  });

  it("refuses a file over the server's limit before uploading, naming the limit", async () => {
    const conversation = alicePage.getByRole("region", { name: "Conversation with Bob" });
    await alicePage.getByRole("option", { name: /Bob/ }).click();
    await dropFiles(conversation, [
      { name: "too-big.bin", type: "application/octet-stream", bytes: randomBytes(1536 * 1024) },
    ]);
    await expect
      .poll(() => conversation.textContent(), { timeout: 20_000 })
      .toMatch(/too-big\.bin[\s\S]*at most 1 MB/);
    expect(
      await alicePage.getByRole("log").getByRole("group", { name: "File: too-big.bin" }).count(),
    ).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

interface DroppedFile {
  name: string;
  type: string;
  bytes: Buffer;
}

/** What page-files.js adds to the page. */
interface PageHelpers {
  wrenTest: {
    progressBars(): string[];
    drop(element: unknown, files: { name: string; type: string; data: string }[]): void;
  };
}

/** Drops `files` onto `target` as a desktop would (see page-files.js). */
async function dropFiles(target: Locator, files: DroppedFile[]): Promise<void> {
  const encoded = files.map(({ name, type, bytes }) => ({
    name,
    type,
    data: bytes.toString("base64"),
  }));
  await target.evaluate(
    (element, list) => (globalThis as unknown as PageHelpers).wrenTest.drop(element, list),
    encoded,
  );
}

/** The names of the progress bars the page has shown so far. */
function progressBarsSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as PageHelpers).wrenTest.progressBars());
}
