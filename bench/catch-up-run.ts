import { join } from "node:path";
import { client, xml, type Element } from "@xmpp/client";
import { AccountState } from "../main/core/account-state";
import { createSession } from "../main/core/account-runtime";
import { configureLogging } from "../main/shared/log";
import type { MessageStore } from "../main/store/message-store";
import { openMessageStore } from "../main/store/open-store";

// The measuring half of bench/catch-up.ts, in a process of its own (see there).

export interface CatchUpRunInput {
  host: string;
  port: number;
  alice: { jid: string; password: string };
  bob: { jid: string; password: string };
  messages: number;
  dataDir: string;
}

interface Measured {
  cpuMs: number;
  wallMs: number;
  messages: number;
}

export interface CatchUpRunResult {
  baseline: Measured;
  wren: Measured;
}

const PAGE = 100;
const NS_MAM = "urn:xmpp:mam:2";

function rawClient(input: CatchUpRunInput, account: { jid: string; password: string }) {
  const raw = client({
    service: `xmpp://${input.host}:${input.port}`,
    domain: "localhost",
    username: account.jid.split("@")[0],
    password: account.password,
  });
  raw.reconnect.stop();
  raw.on("error", () => {});
  return raw;
}

/** Bob writes `count` messages to Alice, who is offline; resolves once the server has them all. */
async function seed(input: CatchUpRunInput): Promise<void> {
  const bob = rawClient(input, input.bob);
  await bob.start();
  for (let i = 0; i < input.messages; i++) {
    await bob.send(
      xml(
        "message",
        { to: input.alice.jid, type: "chat", id: `seed-${i}` },
        xml("body", {}, `Message number ${i} of the catch-up benchmark, with a few words.`),
      ),
    );
  }
  // The server handles a stream in order: its answer means every message is archived.
  await bob.iqCaller.request(xml("iq", { type: "get" }, xml("ping", { xmlns: "urn:xmpp:ping" })));
  await bob.stop();
}

async function measure(work: () => Promise<number>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const messages = await work();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - start, messages };
}

/** xmpp.js pages through the archive and counts what it gets. */
async function baseline(input: CatchUpRunInput): Promise<number> {
  const alice = rawClient(input, input.alice);
  let seen = 0;
  alice.on("stanza", (stanza: Element) => {
    if (stanza.getChild("result", NS_MAM)) seen++;
  });
  await alice.start();
  let after: string | undefined;
  for (;;) {
    const set = xml(
      "set",
      { xmlns: "http://jabber.org/protocol/rsm" },
      xml("max", {}, String(PAGE)),
    );
    if (after) set.append(xml("after", {}, after));
    const answer = await alice.iqCaller.request(
      xml("iq", { type: "set" }, xml("query", { xmlns: NS_MAM, queryid: `q${seen}` }, set)),
      30_000,
    );
    const fin = answer.getChild("fin", NS_MAM)!;
    after =
      fin.getChild("set", "http://jabber.org/protocol/rsm")?.getChildText("last") ?? undefined;
    if (fin.attrs.complete === "true" || !after) break;
  }
  await alice.stop();
  return seen;
}

/** Wren signs in and catches up; resolves once every message is stored and shown. */
async function wren(input: CatchUpRunInput, store: MessageStore): Promise<number> {
  const state = new AccountState({
    jid: input.alice.jid,
    accountId: input.alice.jid,
    history: store,
  });
  const session = createSession({
    jid: input.alice.jid,
    password: input.alice.password,
    host: input.host,
    port: input.port,
    directTls: false,
    state,
  });
  let fetched = 0;
  const done = new Promise<void>((resolve) =>
    session.on("catchUp", (progress) => {
      fetched = progress.fetched;
      if (!progress.running) resolve();
    }),
  );
  await session.start();
  await done;
  await state.chat.settled();
  await session.stop();
  return fetched;
}

async function countStored(store: MessageStore, accountId: string, peer: string): Promise<number> {
  let count = 0;
  let before: string | undefined;
  for (;;) {
    const page = await store.page({ accountId, conversation: peer, before, limit: 500 });
    count += page.length;
    if (page.length < 500) return count;
    before = page[0]!.id;
  }
}

async function main(): Promise<void> {
  configureLogging({ sinks: [], level: "error" });
  const input = JSON.parse(process.argv[2]!) as CatchUpRunInput;
  const since = Date.now() - 60_000;
  await seed(input);
  const base = await measure(() => baseline(input));
  const store = await openMessageStore({ path: join(input.dataDir, "history.sqlite") });
  // An account that caught up before the messages came: one forward catch-up fetches them all.
  await store.saveSyncState(input.alice.jid, { archiveId: null, archiveAt: since });
  const ours = await measure(() => wren(input, store));
  // What the catch-up reported, checked against what is in the database.
  ours.messages = await countStored(store, input.alice.jid, input.bob.jid);
  await store.close();
  const result: CatchUpRunResult = { baseline: base, wren: ours };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
