import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startPrivateKeyring } from "../test/setup/keyring";
import { ensureTestCertificates } from "../test/setup/certs";
import { table } from "./table";
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

// A conversation of 10,000 messages in the preview, in Chromium (issue #9): the time from the
// click to the newest message painted, the elements in the timeline, and scrolling back 1,000
// messages — against two baselines in the same run and page: opening a conversation of 10
// messages (the floor any opening costs), and the same 10,000 messages put into the timeline at
// once, as a list without windowing would hold them.

const ROOT = resolve(import.meta.dirname, "..");
const SHOW_TARGET_MS = 100;
const ELEMENTS_TARGET = 1_000;
const SCROLL_TARGET_MS = 2_000;
const TASK_TARGET_MS = 50;

export async function timelineBench(): Promise<string> {
  // The renderer as it is now: the preview serves out/preview-renderer.
  await run("the preview's renderer build", resolve(ROOT, "node_modules/.bin/vite"), [
    "build",
    "--config",
    "renderer/vite.preview.config.ts",
    "--logLevel",
    "error",
  ]);
  const { caPath } = ensureTestCertificates(CERT_DIR);
  const keyring = await startPrivateKeyring();
  if (!keyring) {
    throw new Error(
      "the timeline benchmark needs dbus-daemon and gnome-keyring-daemon " +
        "(apt-get install dbus gnome-keyring), so that the preview keeps the password",
    );
  }
  const scratch = mkdtempSync(join(tmpdir(), "wren-bench-results-"));
  try {
    const resultFile = join(scratch, "timeline.json");
    // tsx as a loader, not its CLI: the CLI stands between the child and a Ctrl-C, and kills a child
    // that does not answer the signal within 30 ms — before it could stop its Prosody.
    await run(
      "bench/timeline-run.ts",
      process.execPath,
      ["--import", "tsx", resolve(ROOT, "bench/timeline-run.ts"), resultFile],
      { ...keyring.env, NODE_EXTRA_CA_CERTS: caPath },
    );
    return report(JSON.parse(readFileSync(resultFile, "utf8")) as TimelineResults);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await keyring.stop();
  }
}

/** Runs a program in the repository to its end; rejects with what it wrote if it fails. */
function run(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += String(chunk)));
    child.stderr.on("data", (chunk) => (output += String(chunk)));
    // Ctrl-C reaches the child too (same process group); a SIGTERM may not. Pass either on and wait
    // for the child to clean up, instead of ending here at once.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.once("error", fail);
    child.once("exit", (code, signal) => {
      process.removeListener("SIGINT", forward);
      process.removeListener("SIGTERM", forward);
      if (code === 0) done();
      else fail(new Error(`${name} failed (${code ?? signal}):\n${output.slice(-4000)}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const whole = (value: number) => Math.round(value).toLocaleString("en-US");
const verdict = (pass: boolean) => (pass ? "PASS" : "FAIL");

const ms = (value: number) => `${whole(value)} ms`;
const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
const task = (value: number) => (value === 0 ? "none" : ms(value));

/** One figure of every round: the median, and the worst in brackets. */
function figure<T>(rounds: T[], pick: (round: T) => number, format: (value: number) => string) {
  const values = rounds.map(pick);
  return `${format(median(values))} (${format(Math.max(...values))})`;
}

const longest = (rounds: { longestTask: number }[]) =>
  Math.max(...rounds.map((round) => round.longestTask));

/** The scroll-back time, or how far the slowest round got before it gave up. */
function scrolled(rounds: ScrollResult[]) {
  const stuck = rounds.filter((round) => round.error);
  if (stuck.length === 0) return figure(rounds, (round) => round.ms, seconds);
  const reached = Math.min(...stuck.map((round) => round.reached ?? 0));
  return `> ${seconds(Math.max(...stuck.map((round) => round.ms)))} (${whole(reached)} back)`;
}

function report(results: TimelineResults): string {
  const { small, big, scroll, naive, naiveScroll } = results;
  const time = (round: { ms: number }) => round.ms;
  const elements = (round: OpenResult) => round.elements;
  const scrollOk = !scroll.some((round) => round.error);

  const rows = [
    [
      "figure",
      `${SMALL} messages (floor)`,
      `${whole(BIG)} at once, unwindowed`,
      `Wren, ${whole(BIG)}`,
      "target",
      "verdict",
    ],
    [
      "time to show: click → newest painted",
      figure(small, time, ms),
      figure(naive, time, ms),
      figure(big, time, ms),
      `<= ${SHOW_TARGET_MS} ms`,
      verdict(median(big.map(time)) <= SHOW_TARGET_MS),
    ],
    [
      "longest task while opening",
      task(longest(small)),
      task(longest(naive)),
      task(longest(big)),
      "",
      "",
    ],
    [
      "elements in the timeline after opening",
      figure(small, elements, whole),
      figure(naive, elements, whole),
      figure(big, elements, whole),
      `<= ${whole(ELEMENTS_TARGET)}`,
      verdict(Math.max(...big.map(elements)) <= ELEMENTS_TARGET),
    ],
    [
      `scrolling back ${whole(SCROLL_BACK)} messages`,
      "-",
      scrolled(naiveScroll),
      scrolled(scroll),
      `<= ${seconds(SCROLL_TARGET_MS)}`,
      verdict(scrollOk && median(scroll.map(time)) <= SCROLL_TARGET_MS),
    ],
    [
      "longest task while scrolling back",
      "-",
      task(longest(naiveScroll)),
      task(longest(scroll)),
      `none over ${TASK_TARGET_MS} ms`,
      verdict(longest(scroll) === 0),
    ],
    [
      "time frozen (tasks over 50 ms) scrolling back",
      "-",
      figure(naiveScroll, (round) => round.frozen, ms),
      figure(scroll, (round) => round.frozen, ms),
      "",
      "",
    ],
    [
      "most elements while scrolling back",
      "-",
      figure(naiveScroll, (round) => round.maxElements, whole),
      figure(scroll, (round) => round.maxElements, whole),
      `<= ${whole(ELEMENTS_TARGET)}`,
      verdict(Math.max(...scroll.map((round) => round.maxElements)) <= ELEMENTS_TARGET),
    ],
  ];
  const presses = Math.max(...scroll.map((round) => round.presses));
  const distance = median(scroll.map((round) => round.distance));
  const frames = median(scroll.map((round) => round.frames));
  const neededFrames = Math.ceil(distance / SCROLL_STEP_PX);
  return [
    `Timeline: a conversation of ${whole(BIG)} messages in the preview, Chromium ${results.chromium} ` +
      `headless at ${VIEWPORT.width}×${VIEWPORT.height}; median of ${ROUNDS} page loads ` +
      `(worst in brackets), verdict on the median (tasks and elements: on the worst).`,
    `Baselines in the same page: opening a conversation of ${SMALL} messages (the floor of any ` +
      `opening), and the same ${whole(BIG)} messages cloned into the timeline at once (an ` +
      `unwindowed list without framework work: the least one costs; timed from the insertion).`,
    `Scrolling back: the timeline scrolled up ${SCROLL_STEP_PX} px a frame until the message ` +
      `${whole(SCROLL_BACK)} before the newest is in view. In Wren that was ${whole(distance)} px: ` +
      `${neededFrames} frames at least (${seconds((neededFrames * 1000) / 60)} at 60 frames/s); ` +
      `it took ${whole(frames)}` +
      (presses > 0 ? `, with its "load older" button pressed ${presses} times.` : "."),
    "",
    table(rows),
  ].join("\n");
}
