import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { createSession } from "../main/core/account-runtime";
import { configureLogging } from "../main/shared/log";
import { launchChromium } from "../test/e2e/browser";
import { startPreview, type PreviewProcess } from "../test/e2e/preview-process";
import { registerAccount } from "../test/integration/setup/accounts";
import { startProsody, type RunningProsody } from "../test/integration/setup/prosody";
import { ensureTestCertificates } from "../test/setup/certs";
import { conversation, seedHistory, type SeedConversation } from "./timeline-seed";
import {
  BIG,
  CERT_DIR,
  ROUNDS,
  SCROLL_BACK,
  SCROLL_STEP_PX,
  SMALL,
  VIEWPORT,
  type OpenResult,
  type ScrollResult,
  type TimelineResults,
} from "./timeline-shared";

// The timeline benchmark's own process (bench/timeline.ts starts it with the test CA in
// NODE_EXTRA_CA_CERTS and a private keychain on D-Bus, which Node and libsecret read only at
// start-up). A private Prosody and a person with two contacts; the person signs in once through
// the form, the preview stops, their database gets a conversation of 10,000 messages and one of
// 10, and the preview starts again on it. Then, each round on a fresh page load, Chromium clicks
// the contacts and scrolls back, and the page measures (bench/timeline-probe.js). Writes the
// figures as JSON to the file named by its argument.

const OPEN_TIMEOUT_MS = 20_000;
const SCROLL_TIMEOUT_MS = 60_000;
const PROBE = readFileSync(resolve(import.meta.dirname, "timeline-probe.js"), "utf8");

const NAMES = { big: "Long talk", small: "Short talk" };

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp() {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}

async function main(resultFile: string) {
  // Wren's own logging, in this process (seeding, the roster session): only what went wrong.
  configureLogging({ sinks: [{ write: (line) => process.stderr.write(line) }], level: "warn" });
  const work = mkdtempSync(join(tmpdir(), "wren-bench-timeline-"));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));

  const prosody = await startProsody(ensureTestCertificates(CERT_DIR), work);
  cleanups.push(() => prosody.stop());
  const register = () => registerAccount(prosody.configPath);
  const [person, bigPeer, smallPeer] = await Promise.all([register(), register(), register()]);
  // Another client of the person's has put both contacts into their roster on the server.
  const elsewhere = createSession({
    jid: person.jid,
    password: person.password,
    host: "127.0.0.1",
    port: prosody.c2sPort,
    directTls: false,
  });
  try {
    await elsewhere.start();
    await elsewhere.addContact(bigPeer.jid, NAMES.big);
    await elsewhere.addContact(smallPeer.jid, NAMES.small);
  } finally {
    await elsewhere.stop();
  }

  const dataDir = join(work, "data");
  previewLog = join(dataDir, "preview.log");
  const [browser, firstPreview] = await Promise.all([launchChromium(), startPreview({ dataDir })]);
  cleanups.push(() => browser.close());
  // Playwright ends the process on Ctrl-C (exit code 130) once it closed its browser, before
  // Prosody and the preview are stopped: leave Ctrl-C to onSignal, whose cleanUp closes it too.
  for (const listener of process.listeners("SIGINT")) {
    if (listener !== onSignal) process.off("SIGINT", listener as () => void);
  }
  let preview: PreviewProcess = firstPreview;
  cleanups.push(() => preview.stop());
  const page = await newPage(browser);

  await page.goto(preview.url);
  await signIn(page, prosody, person.jid, person.password);
  await rosterShown(page);
  const accountId = readAccountId(dataDir);

  await preview.stop();
  const big = conversation("L", bigPeer.jid, BIG, 1);
  const small = conversation("S", smallPeer.jid, SMALL, 2);
  await seedHistory(dataDir, accountId, person.jid, [big, small]);
  preview = await startPreview({ dataDir });

  const results: TimelineResults = {
    chromium: browser.version(),
    small: [],
    big: [],
    scroll: [],
    naive: [],
    naiveScroll: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh page load for each opening: the first time a conversation opens is what counts.
    await load(page, preview.url);
    results.small.push(await open(page, NAMES.small, small));
    await load(page, preview.url);
    results.big.push(await open(page, NAMES.big, big));
    results.scroll.push(await scrollBack(page, big));

    await load(page, preview.url);
    await open(page, NAMES.small, small);
    results.naive.push(await renderAll(page, small, big));
    results.naiveScroll.push(await scrollBack(page, big));
  }
  writeFileSync(resultFile, JSON.stringify(results));
}

/** For a screenshot and the preview's log if something fails. */
let openPage: Page | undefined;
let previewLog: string | undefined;

async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  openPage = page;
  await page.addInitScript({ content: PROBE });
  page.on("pageerror", (error) => process.stderr.write(`page error: ${error.message}\n`));
  return page;
}

/** The sign-in form, with "Advanced" opened for the private server's host and port. */
async function signIn(page: Page, prosody: RunningProsody, jid: string, password: string) {
  await page.getByLabel("Address", { exact: true }).fill(jid);
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (!(await page.getByLabel("Server host").isVisible())) await page.getByText("Advanced").click();
  await page.getByLabel("Server host").fill("127.0.0.1");
  await page.getByLabel("Port", { exact: true }).fill(String(prosody.c2sPort));
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function rosterShown(page: Page) {
  for (const name of Object.values(NAMES)) {
    await contact(page, name).waitFor({ timeout: 30_000 });
  }
}

const contact = (page: Page, name: string) =>
  page.getByRole("listbox", { name: "Contacts" }).getByRole("option", { name: new RegExp(name) });

function readAccountId(dataDir: string): string {
  const settings = JSON.parse(readFileSync(join(dataDir, "accounts.json"), "utf8")) as {
    accounts: { id: string }[];
  };
  const id = settings.accounts[0]?.id;
  if (!id) throw new Error("the sign-in saved no account");
  return id;
}

/** A fresh page load of the preview (its URL differs only by its #token: goto would not reload). */
async function load(page: Page, url: string) {
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await rosterShown(page);
  // Let the page and the preview finish starting (catch-up with the archive, presence) first.
  await page.waitForTimeout(1_000);
}

const call = <T>(page: Page, method: string, ...args: unknown[]) =>
  page.evaluate(
    `window.wrenTimelineBench.${method}(${args.map((arg) => JSON.stringify(arg)).join(", ")})`,
  ) as Promise<T>;

async function open(page: Page, name: string, seeded: SeedConversation): Promise<OpenResult> {
  const newest = seeded.messages.length - 1;
  await call(page, "armOpen", seeded.tag, newest, OPEN_TIMEOUT_MS);
  await contact(page, name).click();
  return check(await call<OpenResult>(page, "opened"), `opening ${name}`);
}

async function scrollBack(page: Page, seeded: SeedConversation): Promise<ScrollResult> {
  const newest = seeded.messages.length - 1;
  return call<ScrollResult>(
    page,
    "scrollBack",
    seeded.tag,
    newest,
    SCROLL_BACK,
    SCROLL_STEP_PX,
    SCROLL_TIMEOUT_MS,
  );
}

/** The baseline: `seeded` put into the timeline showing `shown`, all at once (see the probe). */
async function renderAll(page: Page, shown: SeedConversation, seeded: SeedConversation) {
  const numbers = (direction: "in" | "out") =>
    shown.messages.flatMap((message, seq) => (message.direction === direction ? [seq] : []));
  const messages = seeded.messages.map(({ direction, body }) => ({ direction, body }));
  const result = await call<OpenResult>(
    page,
    "renderAll",
    shown.tag,
    numbers("in"),
    numbers("out"),
    messages,
    OPEN_TIMEOUT_MS,
  );
  return check(result, "rendering all messages at once");
}

function check<T extends { error?: string }>(result: T, what: string): T {
  if (result.error) throw new Error(`${what}: ${result.error}`);
  return result;
}

/** What the page showed when it went wrong, and what the preview logged. */
async function report(error: unknown) {
  const output = resolve(import.meta.dirname, "../test-output/bench");
  mkdirSync(output, { recursive: true });
  await openPage
    ?.screenshot({ path: join(output, "timeline-failure.png") })
    .then(() => process.stderr.write(`The page as it was: ${output}/timeline-failure.png\n`))
    .catch(() => {});
  if (previewLog && existsSync(previewLog)) {
    copyFileSync(previewLog, join(output, "timeline-preview.log"));
    process.stderr.write(`The preview's log: ${output}/timeline-preview.log\n`);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
}

// Ctrl-C reaches this process more than once (from the terminal, and forwarded by its parent):
// clean up on the first, and let no later one cut that short.
let interrupted = false;
function onSignal() {
  if (interrupted) return;
  interrupted = true;
  void cleanUp().then(() => process.exit(1));
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
  const resultFile = process.argv[2];
  if (!resultFile) throw new Error("usage: timeline-run.ts RESULT_FILE");
  await main(resultFile);
} catch (error) {
  // Interrupted, the steps still under way fail as onSignal takes things down: nothing to report.
  if (!interrupted) await report(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
