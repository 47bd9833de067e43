import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import type {
  DuplicateProbe,
  MessageStore,
  SearchQuery,
  StoredMessage,
} from "../main/store/message-store";
import { configureLogging } from "../main/shared/log";
import { newMessageId } from "../main/core/features/chat/message-id";
import { openMessageStore } from "../main/store/open-store";
import { openDatabase } from "../main/store/worker/database";
import { matchExpression } from "../main/store/worker/match-expression";
import { createHistory } from "../main/store/worker/history";
import { random } from "./corpus";

// The message store (issue #9), through its real worker thread, each figure against a baseline
// measured in the same run:
// - the store rate with full-text indexing, in pages as an archive catch-up stores them, against
//   the same messages stored one at a time (one transaction each);
// - search in 1,000,000 stored messages, p50/p95 of a query for a page of 50 results, against a
//   LIKE '%word%' scan of the same table (on fewer queries: each reads every row);
// - in the same messages, the list of conversations (2,000 of an account's 3,000) and read marks.
// Wall-clock time: the work happens in the worker, which is what main waits for.

// Each into an empty database of its own; then all into the 1,000,000 messages of the search
// benchmark (fewer there: it is slower).
const EMPTY_SIZES: [number, number] = [10_000, 100_000];
const FULL_SIZES: [number, number] = [5_000, 50_000];
const PAGE = 250;
const IN_FLIGHT = 2_000;
const RATE_TARGET = 20_000;
const SEARCH_MESSAGES = 1_000_000;
const BUILD_BATCH = 10_000;
const BUILD_TRANSACTION = 100_000;
const QUERIES = 200;
const LIKE_QUERIES = 10;
const RESULTS = 50;
const SEARCH_P95_TARGET_MS = 10;
// A person with a million messages has thousands of conversations (most of them short).
const CONVERSATIONS = 5_000;
const LISTED = 2_000;
const LISTINGS = 50;
const MARKS = 200;
const DEEP_MARK = 10_000;

// A chat corpus: words drawn from a Zipf distribution (a few very common, most rare), some with
// diacritics; message lengths mostly short; 5,000 conversations of very different sizes across
// three accounts (the first holds three in five); three messages in ten loaded later from the
// archive, older than what came before.

const COMMON = (
  "I you the to a it and is that in of not me for be on have do this so my what we are ok " +
  "just with but was can know like no yes at get if your will all there how go up out one now"
).split(" ");
const SYLLABLES = "ka lo mi ne ru sa te vi zo pa de fu gi ho ja be ce qu xi wa".split(" ");
const ACCENTED: Record<string, string> = { a: "á", e: "é", i: "ï", o: "ö", u: "ü" };

function vocabulary(size: number): string[] {
  const words = [...COMMON];
  for (let i = 0; words.length < size; i++) {
    let word = "";
    let n = i;
    do {
      word += SYLLABLES[n % SYLLABLES.length];
      n = Math.floor(n / SYLLABLES.length);
    } while (n > 0);
    if (i % 50 === 7) word = word.replace(/[aeiou]/, (vowel) => ACCENTED[vowel]!);
    words.push(word);
  }
  return words;
}

/**
 * Picks index i with probability ∝ 1 / (i + 1)^s, through a table of 2^20 quantiles (one lookup
 * a word: the corpus takes as long to make as the store takes to swallow it, otherwise).
 */
function zipf(size: number, s: number, next: () => number): () => number {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) cumulative[i] = total += 1 / Math.pow(i + 1, s);
  const table = new Uint32Array(1 << 20);
  for (let slot = 0, index = 0; slot < table.length; slot++) {
    const x = ((slot + 0.5) / table.length) * total;
    while (cumulative[index]! < x) index++;
    table[slot] = index;
  }
  return () => table[(next() * table.length) | 0]!;
}

const HEX4 = Array.from({ length: 65_536 }, (_, i) => i.toString(16).padStart(4, "0"));

interface Corpus {
  next(): StoredMessage;
}

function corpus(seed: number): Corpus {
  const next = random(seed);
  const words = vocabulary(30_000);
  const word = zipf(words.length, 1.05, next);
  const conversation = zipf(CONVERSATIONS, 1, next);
  // Ids as they come: Wren's own time-ordered (newMessageId, made as messages are stored); the
  // sender's origin-id and stanza id, and Prosody's archive ids, random.
  let clock = Date.UTC(2026, 6, 1) + seed * 1e9;
  const h = () => HEX4[(next() * 65_536) | 0]!;
  const id = () => `${h()}${h()}-${h()}-${h()}-${h()}-${h()}${h()}${h()}`;
  let count = 0;
  let live = Date.UTC(2026, 0, 1);
  let archive = live;
  let fromArchive = false;
  return {
    next() {
      // The archive's messages come in runs, as pages loaded while scrolling up.
      if (count % 200 === 0) fromArchive = next() < 0.3;
      let timestamp: number;
      if (fromArchive)
        timestamp = Math.floor((archive -= Math.floor(next() * 60_000)) / 1000) * 1000;
      else timestamp = live += Math.floor(next() * 60_000);
      const length = 1 + Math.floor(next() * next() * 30);
      let body = words[word()]!;
      for (let i = 1; i < length; i++) body += ` ${words[word()]}`;
      const peer = conversation();
      const jid = `contact${peer}@example.org`;
      const account = accountOf(peer);
      const outgoing = next() < 0.4;
      count += 1;
      return {
        id: newMessageId(clock++),
        accountId: `account-${account}`,
        conversation: jid,
        kind: "chat",
        direction: outgoing ? "out" : "in",
        sender: outgoing ? `me${account}@example.net` : jid,
        body,
        sentAt: null,
        receivedAt: timestamp,
        serverAt: fromArchive ? timestamp : null,
        timestamp,
        stanzaId: id().slice(0, 12),
        originId: id(),
        archiveId: fromArchive ? id().slice(0, 16) : null,
        archiveBy: fromArchive ? `me${account}@example.net` : null,
        state: outgoing ? "acked" : "received",
        correctsId: null,
        editedAt: null,
        attachment: null,
      };
    },
  };
}

/** Which of the three accounts a conversation is in: 0 for three in five, else 1 or 2. */
function accountOf(peer: number): number {
  return Math.max(0, (peer % 5) - 2);
}

function take(source: Corpus, count: number): StoredMessage[] {
  return Array.from({ length: count }, () => source.next());
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function withStore<T>(path: string, use: (store: MessageStore) => Promise<T>) {
  const store = await openMessageStore({ path });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * Messages per second, sustained: pages of PAGE messages (as an archive query returns them), and a
 * new page sent whenever fewer than IN_FLIGHT messages wait to be stored.
 */
async function sustainedRate(
  path: string,
  messages: StoredMessage[],
  store: (store: MessageStore, message: StoredMessage) => Promise<unknown>,
): Promise<number> {
  return withStore(path, async (opened) => {
    const started = performance.now();
    const waiting = new Set<Promise<unknown>>();
    for (let i = 0; i < messages.length; i += PAGE) {
      while (waiting.size * PAGE >= IN_FLIGHT) await Promise.race(waiting);
      const page = Promise.all(messages.slice(i, i + PAGE).map((m) => store(opened, m)));
      waiting.add(page);
      void page.then(() => waiting.delete(page));
    }
    await Promise.all(waiting);
    return messages.length / ((performance.now() - started) / 1000);
  });
}

interface Rates {
  oneByOne: number;
  added: number;
  deduplicated: number;
}

/**
 * The same three ways of storing, every message new: the baseline (add, awaited each time), add,
 * and addUnlessDuplicate, each with `sizes` messages, into the databases `paths` gives.
 */
async function storeRate(
  paths: (run: "baseline" | "add" | "dedup") => string,
  seed: number,
  sizes: [number, number],
): Promise<Rates> {
  const source = corpus(seed);
  const [baseline, sustained] = sizes;
  const oneByOne = await withStore(paths("baseline"), async (store) => {
    const messages = take(source, baseline);
    const started = performance.now();
    for (const message of messages) await store.add(message);
    return messages.length / ((performance.now() - started) / 1000);
  });
  const added = await sustainedRate(paths("add"), take(source, sustained), (store, message) =>
    store.add(message),
  );
  const deduplicated = await sustainedRate(
    paths("dedup"),
    take(source, sustained),
    (store, message) => store.addUnlessDuplicate(message, probeOf(message)),
  );
  return { oneByOne, added, deduplicated };
}

/** What the chat feature would ask before storing a message that came from the archive. */
function probeOf(message: StoredMessage): DuplicateProbe {
  return {
    accountId: message.accountId,
    conversation: message.conversation,
    direction: message.direction,
    sender: message.sender,
    body: message.body,
    archiveId: message.archiveId,
    originId: message.originId,
    stanzaId: message.stanzaId,
    timestamp: message.timestamp,
    windowMs: 60_000,
  };
}

/**
 * Fills the database the way the worker does (same settings, same INSERT, the full-text index
 * kept by its trigger), without the thread and in bigger transactions: BUILD_BATCH messages a
 * statement, BUILD_TRANSACTION a commit. The secondary indexes, which no search uses, are made
 * once at the end (sorted, from their own CREATE statements) rather than grown message by message.
 */
function build(path: string): number {
  const started = performance.now();
  const { db } = openDatabase(path);
  const secondary = db
    .prepare<[], { name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL",
    )
    .all();
  for (const { name } of secondary) db.exec(`DROP INDEX ${name}`);
  const history = createHistory(db);
  const source = corpus(2);
  const insert = db.transaction((count: number) => {
    for (let i = 0; i < count; i += BUILD_BATCH) history.insert(take(source, BUILD_BATCH));
  });
  for (let i = 0; i < SEARCH_MESSAGES; i += BUILD_TRANSACTION) insert(BUILD_TRANSACTION);
  for (const { sql } of secondary) db.exec(sql);
  db.close();
  return (performance.now() - started) / 1000;
}

interface Probe {
  word: string;
  words: string;
  accountId: string;
  conversation: string;
}

/** Words as a person would search them: taken from messages that are there. */
function probes(path: string, count: number): Probe[] {
  const db = new Database(path, { readonly: true });
  const next = random(3);
  const total = db.prepare("SELECT max(seq) FROM messages").pluck().get() as number;
  const row = db.prepare<[number], { body: string; accountId: string; conversation: string }>(
    "SELECT body, account_id AS accountId, conversation FROM messages WHERE seq = ?",
  );
  const found: Probe[] = [];
  while (found.length < count) {
    const message = row.get(1 + Math.floor(next() * total))!;
    const words = message.body.split(" ");
    const pick = () => words[Math.floor(next() * words.length)]!;
    found.push({ ...message, word: pick(), words: `${pick()} ${pick()}` });
  }
  db.close();
  return found;
}

async function timedQueries(store: MessageStore, queries: SearchQuery[]): Promise<number[]> {
  const times: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await store.search(query);
    times.push(performance.now() - started);
  }
  return times;
}

async function search(path: string) {
  const buildSeconds = build(path);
  const sample = probes(path, QUERIES);

  const db = new Database(path, { readonly: true });
  const count = db.prepare<[string], number>(
    "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?",
  );
  count.pluck();
  const matches = sample.map(({ word }) => count.get(matchExpression(word)!)!);
  const like = db.prepare(
    "SELECT id FROM messages WHERE body LIKE ? ORDER BY timestamp DESC, seq DESC LIMIT ?",
  );
  const likeTimes = sample.slice(0, LIKE_QUERIES).map(({ word }) => {
    const started = performance.now();
    like.all(`%${word}%`, RESULTS);
    return performance.now() - started;
  });
  db.close();

  const kinds = await withStore(path, async (store) => {
    await timedQueries(
      store,
      sample.slice(0, 20).map(({ word }) => ({ text: word, limit: RESULTS })),
    ); // warm-up
    const one = (p: Probe) => ({ text: p.word, limit: RESULTS });
    return {
      global: await timedQueries(store, sample.map(one)),
      twoWords: await timedQueries(
        store,
        sample.map((p) => ({ text: p.words, limit: RESULTS })),
      ),
      account: await timedQueries(
        store,
        sample.map((p) => ({ ...one(p), accountId: p.accountId })),
      ),
      conversation: await timedQueries(
        store,
        sample.map((p) => ({ ...one(p), accountId: p.accountId, conversation: p.conversation })),
      ),
    };
  });
  return { buildSeconds, matches, likeTimes, kinds };
}

/**
 * The list of conversations and read marks in the database search() built: listing the first
 * account's most recent conversations; marking a conversation read at its last message; and at a
 * message 10,000 back in one of the largest conversations (the unread count after it is counted
 * then, up to MAX_UNREAD).
 */
async function conversationList(path: string) {
  const db = new Database(path, { readonly: true });
  const perAccount = db
    .prepare<[], { accountId: string; count: number }>(
      "SELECT account_id AS accountId, count(*) AS count FROM conversations GROUP BY account_id",
    )
    .all();
  // Zipf: contact N is the (N+1)th largest; these are the four largest of account-0.
  const largest = [0, 1, 2, 5].map((peer) => `contact${peer}@example.org`);
  const back = db.prepare<[string], { id: string }>(`
    SELECT id FROM messages WHERE account_id = 'account-0' AND conversation = ?
    ORDER BY timestamp DESC, seq DESC LIMIT 1 OFFSET ${DEEP_MARK}`);
  const deep = largest.map((conversation) => ({ conversation, id: back.get(conversation)!.id }));
  db.close();

  return withStore(path, async (store) => {
    const list = () => store.conversations("account-0", LISTED);
    for (let i = 0; i < 3; i++) await list(); // warm-up
    const listTimes: number[] = [];
    let listed: Awaited<ReturnType<typeof list>> = [];
    for (let i = 0; i < LISTINGS; i++) {
      const started = performance.now();
      listed = await list();
      listTimes.push(performance.now() - started);
    }
    const timed = async (conversation: string, upTo: string) => {
      const started = performance.now();
      await store.markRead("account-0", conversation, upTo);
      return performance.now() - started;
    };
    const deepTimes: number[] = [];
    for (const { conversation, id } of deep) deepTimes.push(await timed(conversation, id));
    const lastTimes: number[] = [];
    for (const { conversation, last } of listed.slice(0, MARKS)) {
      lastTimes.push(await timed(conversation, last.id));
    }
    return { perAccount, listed: listed.length, listTimes, deepTimes, lastTimes };
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")).join("\n");
}

const round = (value: number) => Math.round(value).toLocaleString("en-US");

function rateRows(into: string, [baseline, sustained]: [number, number], rates: Rates): string[][] {
  const row = (method: string, rate: number) => [
    into,
    `${round(sustained)}: ${method}`,
    `${round(rates.oneByOne)} msg/s (${round(baseline)})`,
    `${round(rate)} msg/s`,
    `>= ${round(RATE_TARGET)} msg/s`,
    rate >= RATE_TARGET ? "PASS" : "FAIL",
  ];
  return [row("add", rates.added), row("addUnlessDuplicate", rates.deduplicated)];
}
const ms = (value: number) => `${value.toFixed(2)} ms`;
const verdict = (pass: boolean) => (pass ? "PASS" : "FAIL");

/** Runs the store's benchmarks and returns their tables. */
export async function storeBench(): Promise<string> {
  configureLogging({ sinks: [] }); // the store logs opening and closing; the tables say enough
  const dir = await mkdtemp(join(tmpdir(), "wren-bench-store-"));
  try {
    const path = join(dir, "messages.db");
    const found = await search(path);
    const listing = await conversationList(path);
    const empty = await storeRate((run) => join(dir, `empty-${run}.db`), 1, EMPTY_SIZES);
    const full = await storeRate(() => path, 4, FULL_SIZES);
    const pp = (times: number[]) => `${ms(percentile(times, 50))} / ${ms(percentile(times, 95))}`;
    const ppm = (times: number[]) => `${pp(times)} (${ms(Math.max(...times))})`;
    const searchRow = (name: string, times: number[], baseline: string) => [
      name,
      baseline,
      pp(times),
      `p95 <= ${SEARCH_P95_TARGET_MS} ms`,
      verdict(percentile(times, 95) <= SEARCH_P95_TARGET_MS),
    ];
    const likeColumn = `${pp(found.likeTimes)} (${LIKE_QUERIES} queries)`;
    return [
      `Message store, through its worker thread; wall clock, Node ${process.version}\n`,
      `Search in ${round(SEARCH_MESSAGES)} messages (built in ${found.buildSeconds.toFixed(1)} s),` +
        ` ${RESULTS} newest results, p50 / p95 of ${QUERIES} queries; a searched word is in` +
        ` ${round(percentile(found.matches, 50))} messages at the median,` +
        ` ${round(Math.max(...found.matches))} at most\n`,
      table([
        ["query", "LIKE '%word%' scan", "Wren (FTS5)", "target", "verdict"],
        searchRow("one word, everywhere", found.kinds.global, likeColumn),
        searchRow("two words, everywhere", found.kinds.twoWords, "-"),
        searchRow("one word, in one account", found.kinds.account, "-"),
        searchRow("one word, in one conversation", found.kinds.conversation, "-"),
      ]),
      `\nConversations in the same ${round(SEARCH_MESSAGES)} messages: ` +
        listing.perAccount.map((a) => `${round(a.count)} in ${a.accountId}`).join(", ") +
        "; p50 / p95 (max)\n",
      table([
        ["what", "calls", "time"],
        [
          `conversations("account-0", ${round(LISTED)}): ${round(listing.listed)} listed`,
          `${LISTINGS}`,
          ppm(listing.listTimes),
        ],
        ["markRead at a conversation's last message", `${MARKS}`, ppm(listing.lastTimes)],
        [
          `markRead ${round(DEEP_MARK)} messages back in a large conversation`,
          `${listing.deepTimes.length}`,
          ppm(listing.deepTimes),
        ],
      ]),
      `\nStore rate with full-text indexing, every message new; pages of ${PAGE} messages, a page` +
        ` sent whenever fewer than ${round(IN_FLIGHT)} wait; one at a time: add awaited each time\n`,
      table([
        ["into", "messages", "one at a time", "Wren", "target", "verdict"],
        ...rateRows("an empty database", EMPTY_SIZES, empty),
        ...rateRows(`the ${round(SEARCH_MESSAGES)} above`, FULL_SIZES, full),
      ]),
    ].join("\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await storeBench());
}
