import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CatchUpProgress } from "../../../preload/contract";
import { registerAccount, type TestAccount } from "../../integration/setup/accounts";
import type { FaultServer } from "../setup/prosody";
import { startFaultProxy, type FaultProxy } from "./fault-proxy";
import type { Random } from "./random";
import { checkHistory, readConversation, type SentMessage } from "./history-check";
import { CommandFailed, startWren, type WrenProcess } from "./wren-process";

// Two people, A and B, each with a whole Wren in a process of their own, each reaching the server
// through a fault proxy of their own; and the ledger of what each of them sent. A scenario breaks
// things between them; settle() then brings both online, waits until everything arrived, stops
// both and checks the invariant on both databases.

const OUTPUT = resolve(import.meta.dirname, "../../../test-output/faults");

export type SideName = "A" | "B";

export interface Side {
  readonly name: SideName;
  readonly account: TestAccount;
  /** Wren's id for the account (the same across restarts: it is in the data folder). */
  accountId: string;
  wren: WrenProcess;
  readonly proxy: FaultProxy;
  readonly dataDir: string;
}

export interface PairOptions {
  server: FaultServer;
  /** Names the run's folder under test-output/faults and tags every body. */
  tag: string;
}

export class ChatPair {
  readonly a: Side;
  readonly b: Side;
  readonly tag: string;
  readonly dir: string;
  /** Every message a Wren took (its sendMessage resolved), in the order each side sent them. */
  readonly sent: SentMessage[] = [];
  /** Sends under way when their Wren was killed: each there once or not at all. */
  readonly maybeSent: SentMessage[] = [];
  /**
   * Sends a Wren refused: the person was told it failed. Wren is to keep what is written while it
   * is offline or reconnecting and send it later, so each counts as a failure of the iteration.
   */
  readonly refused: { from: SideName; body: string; reason: string }[] = [];
  /** What happened, for the report when an iteration fails. */
  readonly notes: string[] = [];
  readonly #counters = { A: 0, B: 0 };
  readonly #sending = new Set<Promise<unknown>>();
  readonly #sentWatchers = new Set<() => void>();

  private constructor(a: Side, b: Side, tag: string, dir: string) {
    this.a = a;
    this.b = b;
    this.tag = tag;
    this.dir = dir;
  }

  static async open({ server, tag }: PairOptions): Promise<ChatPair> {
    const dir = join(OUTPUT, tag);
    rmSync(dir, { recursive: true, force: true });
    const [alice, bob] = await Promise.all([
      registerAccount(server.configPath),
      registerAccount(server.configPath),
    ]);
    const target = { host: server.host, port: server.c2sPort };
    // What was started, so that a side that failed to start takes nothing with it.
    const started: { proxy?: FaultProxy; wren?: WrenProcess }[] = [];
    const openSide = async (name: SideName, account: TestAccount): Promise<Side> => {
      const dataDir = join(dir, name);
      mkdirSync(dataDir, { recursive: true });
      const parts: { proxy?: FaultProxy; wren?: WrenProcess } = {};
      started.push(parts);
      const [proxy, wren] = await Promise.all([
        startFaultProxy(target).then((proxy) => (parts.proxy = proxy)),
        startWren(name, dataDir).then((wren) => (parts.wren = wren)),
      ]);
      const snapshot = await wren.command("snapshot", {});
      if (snapshot.credentials.kind === null) {
        await wren.command("chooseCredentialStore", { kind: "safe-storage" });
      }
      const summary = await wren.command("addAccount", {
        jid: account.jid,
        password: account.password,
        host: "127.0.0.1",
        port: proxy.port,
        directTls: false,
        savePassword: true,
      });
      return { name, account, accountId: summary.id, wren, proxy, dataDir };
    };
    const [a, b] = await Promise.allSettled([openSide("A", alice), openSide("B", bob)]);
    if (a.status === "rejected" || b.status === "rejected") {
      await Promise.allSettled(
        started.flatMap(({ proxy, wren }) => [wren?.kill(), proxy?.close()]),
      );
      throw a.status === "rejected" ? a.reason : (b as PromiseRejectedResult).reason;
    }
    return new ChatPair(a.value, b.value, tag, dir);
  }

  side(name: SideName): Side {
    return name === "A" ? this.a : this.b;
  }

  other(name: SideName): Side {
    return name === "A" ? this.b : this.a;
  }

  note(line: string): void {
    this.notes.push(line);
  }

  /** The body of `from`'s next message; `padding` characters make its bytes easy to spot. */
  nextBody(from: SideName, padding = 0): string {
    const n = ++this.#counters[from];
    const text = `${this.tag} ${from}→${from === "A" ? "B" : "A"} #${String(n).padStart(3, "0")}`;
    return padding > 0 ? `${text} ${"~".repeat(padding)}` : text;
  }

  /**
   * `from` sends its next message to the other side. Resolves with the body once Wren took it (or
   * refused it, which is noted); a Wren killed meanwhile leaves it "maybe sent".
   */
  async send(from: SideName, padding = 0): Promise<string> {
    const side = this.side(from);
    const body = this.nextBody(from, padding);
    const message = { from, sender: side.account.jid, body };
    const sending = side.wren.command("sendMessage", {
      accountId: side.accountId,
      to: this.other(from).account.jid,
      body,
    });
    this.#sending.add(sending);
    try {
      await sending;
      this.sent.push(message);
      for (const watcher of [...this.#sentWatchers]) watcher();
    } catch (error) {
      if (!side.wren.running) {
        this.maybeSent.push(message);
      } else if (error instanceof CommandFailed) {
        this.refused.push({ from, body, reason: `${error.code}: ${error.message}` });
      } else {
        throw error;
      }
    } finally {
      this.#sending.delete(sending);
    }
    return body;
  }

  /** Resolves once `from` has sent `count` messages (Wren took them). */
  untilSent(from: SideName, count: number): Promise<void> {
    return new Promise((done) => {
      const check = () => {
        if (this.sent.filter((message) => message.from === from).length < count) return;
        this.#sentWatchers.delete(check);
        done();
      };
      this.#sentWatchers.add(check);
      check();
    });
  }

  /** `count` messages from `from`, one after the other, with `gapMs()` between them. */
  async burst(from: SideName, count: number, gapMs: () => number = () => 0): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.send(from);
      const gap = gapMs();
      if (gap > 0) await sleep(gap);
    }
  }

  /** An ordinary exchange: up to `max` messages, each from A or B at random, 0–`gapMs` apart. */
  async chat(random: Random, max: number, gapMs = 50): Promise<void> {
    const count = random.int(0, max);
    for (let i = 0; i < count; i++) {
      await this.send(random.pick(["A", "B"] as const));
      await sleep(random.int(0, gapMs));
    }
  }

  online(name: SideName, timeoutMs = 30_000): Promise<void> {
    const side = this.side(name);
    return side.wren.until(
      `${name}'s account online`,
      () => side.wren.connection(side.accountId) === "online",
      timeoutMs,
    );
  }

  /**
   * Resolves once `name`'s Wren made a new connection through its proxy and that connection came
   * online. Call before the fault: `const back = pair.reconnected("A"); …fault…; await back`.
   * Told by the proxy, not by the reported states: a short "connecting" may be merged away.
   */
  async reconnected(name: SideName, timeoutMs = 30_000): Promise<void> {
    const side = this.side(name);
    await side.proxy.nextLink(timeoutMs);
    const from = side.wren.events.length;
    await side.wren.until(
      `${name}'s new connection to come online`,
      () =>
        side.wren.events
          .slice(from)
          .some(
            (event) =>
              event.type === "account" &&
              event.account.id === side.accountId &&
              event.account.state.state === "online",
          ),
      timeoutMs,
    );
  }

  /** The bodies of the conversation as `name`'s database holds it now (Wren may be running). */
  stored(name: SideName): string[] {
    const side = this.side(name);
    return readConversation(
      join(side.dataDir, "history.sqlite"),
      side.accountId,
      this.other(name).account.jid,
    ).map((row) => row.body);
  }

  /** Resolves once `name`'s database holds `body` (polled: the database is the truth). */
  async untilStored(name: SideName, body: string, timeoutMs = 30_000): Promise<void> {
    await this.untilStoredCount(name, [body], 1, timeoutMs);
  }

  /** Resolves once `name`'s database holds at least `count` of `bodies`; false on timeout. */
  async untilStoredCount(
    name: SideName,
    bodies: string[],
    count: number,
    timeoutMs = 30_000,
  ): Promise<boolean> {
    const wanted = new Set(bodies);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const have = new Set(this.stored(name).filter((body) => wanted.has(body))).size;
      if (have >= count) return true;
      if (Date.now() > until) return false;
      await sleep(20);
    }
  }

  /** Kills `name`'s Wren (SIGKILL) and starts it again on the same data folder. */
  async restart(name: SideName, kill = true): Promise<void> {
    const side = this.side(name);
    if (kill) await side.wren.kill();
    else await side.wren.stop();
    side.wren = await startWren(name, side.dataDir);
  }

  /**
   * The end of every iteration: both Wrens running and online, each sends a last message; once
   * each side has the other's last message and its archive catch-up (if any) finished, it has
   * everything it is going to get. Then both stop cleanly and the invariant is checked on both
   * databases. Resolves with what broke, empty when nothing did.
   */
  async settle(): Promise<string[]> {
    await Promise.allSettled([...this.#sending]);
    const problems = describeRefusals(this.refused);
    for (const side of [this.a, this.b]) {
      if (!side.wren.running) side.wren = await startWren(side.name, side.dataDir);
    }
    for (const name of ["A", "B"] as const) {
      await this.online(name, 45_000).catch(() =>
        problems.push(`${name} was not online 45 s after the faults ended`),
      );
    }
    const last = { A: await this.send("A"), B: await this.send("B") };

    await Promise.all(
      (["A", "B"] as const).map(async (name) => {
        const side = this.side(name);
        const other = this.other(name).name;
        const arrived = await this.untilStoredCount(name, [last[other]], 1, 30_000);
        if (!arrived) this.note(`${name} did not get ${other}'s last message within 30 s`);
        await side.wren
          .until(`${name}'s catch-up to finish`, () => !catchUpRunning(side), 30_000)
          .catch(() => problems.push(`${name}: the archive catch-up was still running after 30 s`));
        // What the catch-up stored last is committed a moment after it says it finished.
        const bodies = this.sent.map((message) => message.body);
        await this.untilStoredCount(name, bodies, bodies.length, 2_000);
      }),
    );
    await Promise.all([this.a.wren.stop(), this.b.wren.stop()]);

    for (const name of ["A", "B"] as const) {
      const side = this.side(name);
      const rows = readConversation(
        join(side.dataDir, "history.sqlite"),
        side.accountId,
        this.other(name).account.jid,
      );
      problems.push(
        ...checkHistory(rows, {
          where: `${name}'s database (${rows.length} rows)`,
          owner: name,
          sent: this.sent,
          maybeSent: this.maybeSent,
        }),
      );
    }
    return problems;
  }

  /** Stops everything; keeps the data folders (databases and logs) only when asked to. */
  async close(keep: boolean): Promise<void> {
    await Promise.all([this.a.wren.kill(), this.b.wren.kill()]);
    await Promise.all([this.a.proxy.close(), this.b.proxy.close()]);
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One line per side and reason: `A refused to send (not-signed-in: …): 3 messages: …`. */
function describeRefusals(refused: ChatPair["refused"]): string[] {
  const groups = new Map<string, string[]>();
  for (const { from, body, reason } of refused) {
    const key = `${from} refused to send (${reason})`;
    groups.set(key, [...(groups.get(key) ?? []), body.replace(/ ~+$/, "")]);
  }
  return [...groups].map(
    ([key, bodies]) => `${key}: ${bodies.length} messages: ${bodies.join(", ")}`,
  );
}

/** Whether the account's archive catch-up is running, by the last progress Wren reported. */
function catchUpRunning(side: Side): boolean {
  let progress: CatchUpProgress | undefined;
  for (const event of side.wren.events) {
    if (event.type === "catch-up" && event.accountId === side.accountId) progress = event.progress;
  }
  return progress?.running ?? false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
