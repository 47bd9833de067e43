import type { Buffer } from "node:buffer";
import { bigTextStream, chunked, messageStream } from "./corpus";
import { FIXED_SIZES, linkifyTimes, PRE_FIX_SIZES, TARGET_MS } from "./linkify";
import { stock, wren, type Contestant } from "./parsers";
import { ITERATIONS, wrenLogin, xmppJsLogin } from "./scram";
import { catchUpBench } from "./catch-up";
import { filesBench } from "./files";
import { storeBench } from "./store";
import { table } from "./table";
import { timelineBench } from "./timeline";

// `npm run bench`: stock @xmpp/xml Parser against Wren's StreamParser, in one process (and the
// SCRAM login, link detection, the message store, the archive catch-up and the conversation
// timeline in Chromium against their baselines, below). Runs are interleaved and timed in CPU
// time, so that load from elsewhere on the machine hits both alike (the store in wall-clock time:
// its work happens in its worker thread; the timeline in the page's own clock).

const STANZAS = 100_000;
const BIG_TEXT = 8 * 1024 * 1024;
const THROUGHPUT_TARGET = 0.9;
const BIG_TEXT_TARGET_MS = 100;
const LOGIN_TARGET_MS = 50;
const LOGINS = 5;
const STOCK_BIG_TEXT_BUDGET_MS = 10_000;
const ROUNDS = 9;
const WARMUP_ROUNDS = 3;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function timed(contestant: Contestant, chunks: Buffer[], budgetMs?: number) {
  const start = cpuMs();
  const deadline = budgetMs === undefined ? undefined : performance.now() + budgetMs;
  const result = contestant.parse(chunks, deadline);
  return { ms: cpuMs() - start, ...result };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function throughput() {
  const chunks = chunked(messageStream(STANZAS));
  const times = new Map<Contestant, number[]>([
    [stock, []],
    [wren, []],
  ]);
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // Alternate who goes first: the second of a pair runs on a warmer heap.
    const order = round % 2 === 0 ? [stock, wren] : [wren, stock];
    for (const contestant of order) {
      const { ms, elements } = timed(contestant, chunks);
      if (elements !== STANZAS) throw new Error(`${contestant.name} saw ${elements} stanzas`);
      if (round >= WARMUP_ROUNDS) times.get(contestant)!.push(ms);
    }
  }
  const perSecond = (contestant: Contestant) => STANZAS / (median(times.get(contestant)!) / 1000);
  return { stock: perSecond(stock), wren: perSecond(wren), chunks: chunks.length };
}

function bigText() {
  const chunks = chunked(bigTextStream(BIG_TEXT));
  const runs: number[] = [];
  for (let round = 0; round < 1 + 5; round++) {
    const { ms, elements } = timed(wren, chunks);
    if (elements !== 1) throw new Error(`${wren.name} did not finish the big text node`);
    if (round > 0) runs.push(ms);
  }
  // Once only, and within a budget: the stock parser is quadratic here.
  const stockRun = timed(stock, chunks, STOCK_BIG_TEXT_BUDGET_MS);
  return { wren: median(runs), stock: stockRun, total: chunks.length };
}

async function logins() {
  const runs = { sha1: [] as number[], sha256: [] as number[], xmppJs: [] as number[] };
  for (let round = 0; round < 1 + LOGINS; round++) {
    const sha1 = await wrenLogin("sha1");
    const sha256 = await wrenLogin("sha256");
    const xmppJs = await xmppJsLogin();
    if (round === 0) continue; // warm-up
    runs.sha1.push(sha1);
    runs.sha256.push(sha256);
    runs.xmppJs.push(xmppJs);
  }
  return { sha1: median(runs.sha1), sha256: median(runs.sha256), xmppJs: median(runs.xmppJs) };
}

const round = (value: number) => Math.round(value).toLocaleString("en-US");
const verdict = (pass: boolean) => (pass ? "PASS" : "FAIL");

const small = throughput();
const login = await logins();
const big = bigText();
const links = linkifyTimes();
const ratio = small.wren / small.stock;
const stockBig =
  big.stock.fed === big.total
    ? `${round(big.stock.ms)} ms`
    : `> ${round(big.stock.ms)} ms (stopped at ${Math.round((100 * big.stock.fed) / big.total)} %)`;

console.log(
  `Node ${process.version}; CPU time, median of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up\n`,
);
console.log(
  table([
    ["benchmark", "@xmpp/xml Parser", "Wren StreamParser", "result", "target", "verdict"],
    [
      `${round(STANZAS)} small <message>s, ${small.chunks} chunks of 4–16 KiB`,
      `${round(small.stock)} stanzas/s`,
      `${round(small.wren)} stanzas/s`,
      `${(ratio * 100).toFixed(1)} % of stock`,
      `>= ${THROUGHPUT_TARGET * 100} %`,
      verdict(ratio >= THROUGHPUT_TARGET),
    ],
    [
      "one 8 MiB text node",
      stockBig,
      `${big.wren.toFixed(1)} ms`,
      `${big.wren.toFixed(1)} ms`,
      `<= ${BIG_TEXT_TARGET_MS} ms`,
      verdict(big.wren <= BIG_TEXT_TARGET_MS),
    ],
  ]),
);
console.log(
  `\nOne SCRAM login at ${round(ITERATIONS)} iterations, client side; wall clock, median of ${LOGINS}\n`,
);
console.log(
  table([
    ["benchmark", "xmpp.js SCRAM-SHA-1", "Wren", "target", "verdict"],
    ...(["sha1", "sha256"] as const).map((hash) => [
      `SCRAM-${hash === "sha1" ? "SHA-1" : "SHA-256"} login`,
      `${login.xmppJs.toFixed(1)} ms`,
      `${login[hash].toFixed(1)} ms`,
      `< ${LOGIN_TARGET_MS} ms`,
      verdict(login[hash] < LOGIN_TARGET_MS),
    ]),
  ]),
);

const ms = (value: number) => `${value.toFixed(1)} ms`;
const targets = [...TARGET_MS].map(([n, target]) => `< ${target} ms at n = ${round(n)}`).join(", ");
console.log(
  `\nLink detection in one message body, n repetitions; CPU time, pre-fix version once,` +
    ` Wren median of 5; target: ${targets}\n`,
);
console.log(
  table([
    [
      "body",
      ...PRE_FIX_SIZES.map((n) => `pre-fix, n = ${round(n)}`),
      ...FIXED_SIZES.map((n) => `Wren, n = ${round(n)}`),
      "target",
      "verdict",
    ],
    ...links.map((row) => [
      row.name,
      ...row.preFix.map(ms),
      ...row.fixed.map(ms),
      [...TARGET_MS.values()].map((target) => `< ${target}`).join(" / ") + " ms",
      verdict(row.pass),
    ]),
  ]),
);

console.log(`\n${await storeBench()}`);
console.log(`\n${await catchUpBench()}`);
console.log(`\n${await filesBench()}`);

// The last: it builds the preview's renderer, and a renderer that does not build (or a page that
// fails) must not hide the figures above.
try {
  console.log(`\n${await timelineBench()}`);
} catch (error) {
  console.log(`\nTimeline benchmark failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
