import { fork } from "node:child_process";
import { resolve } from "node:path";
import type {
  AccountSummary,
  CommandArgs,
  CommandName,
  CommandResult,
  ConnectionState,
  Envelope,
  WrenEvent,
} from "../../../preload/contract";
import type { RunnerMessage, TestMessage } from "./runner-protocol";

const root = resolve(import.meta.dirname, "../../..");
const RUNNER = resolve(import.meta.dirname, "wren-runner.ts");

/** A Wren running in a process of its own (wren-runner.ts), driven through its commands. */
export interface WrenProcess {
  readonly name: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Every event it reported, in order. */
  readonly events: WrenEvent[];
  /** Runs a command; rejects with the command's error (code and message) when it fails. */
  command<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  /** The account's connection state, as last reported. */
  connection(accountId: string): ConnectionState | undefined;
  /** Resolves once `check()` holds; checked now and after every batch of events. */
  until(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  /** SIGKILL: no chance to finish anything. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Signs out and closes the database, as quitting Wren does. */
  stop(): Promise<void>;
  readonly running: boolean;
}

export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(`${command} failed (${code}): ${message}`);
  }
}

export async function startWren(name: string, dataDir: string): Promise<WrenProcess> {
  // Node itself, with tsx as a loader: a single process, so SIGKILL ends this Wren and nothing
  // survives it (tsx's own CLI would run it in a child of its own).
  const child = fork(RUNNER, [dataDir], {
    cwd: root,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  child.stderr?.on("data", (chunk) => (output += String(chunk)));

  const events: WrenEvent[] = [];
  const states = new Map<string, ConnectionState>();
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const watchers = new Set<() => void>();
  let nextId = 1;
  let running = true;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  void exited.then(() => {
    running = false;
    for (const reply of pending.values()) {
      reply({ ok: false, error: { code: "internal", message: `${name} is not running` } });
    }
    pending.clear();
    for (const watcher of [...watchers]) watcher();
  });

  child.on("message", (message: RunnerMessage) => {
    if (message.type === "reply") {
      pending.get(message.id)?.(message.envelope);
      pending.delete(message.id);
    } else if (message.type === "events") {
      for (const event of message.events) {
        events.push(event);
        if (event.type === "account") track(event.account);
      }
      for (const watcher of [...watchers]) watcher();
    }
  });
  const track = (account: AccountSummary) => states.set(account.id, account.state.state);

  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start:\n${output}`)), 30_000);
    child.on("message", (message: RunnerMessage) => {
      if (message.type !== "ready") return;
      clearTimeout(timer);
      done();
    });
    void exited.then(() => fail(new Error(`${name} exited while starting:\n${output}`)));
  });

  const send = (message: TestMessage) => {
    if (running && child.connected) child.send(message);
  };

  const wren: WrenProcess = {
    name,
    dataDir,
    pid: child.pid!,
    events,
    get running() {
      return running;
    },
    async command(command, args) {
      const envelope = await new Promise<Envelope<unknown>>((reply) => {
        if (!running) {
          reply({ ok: false, error: { code: "internal", message: `${name} is not running` } });
          return;
        }
        const id = nextId++;
        pending.set(id, reply);
        send({ type: "command", id, command, args });
      });
      if (!envelope.ok) {
        throw new CommandFailed(command, envelope.error.code, envelope.error.message);
      }
      return envelope.value as CommandResult<typeof command>;
    },
    connection: (accountId) => states.get(accountId),
    until(what, check, timeoutMs = 30_000) {
      return new Promise((done, fail) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          fail(new Error(`${name}: timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const watch = () => {
          if (!check()) {
            if (running) return;
            fail(new Error(`${name} exited while waiting for ${what}:\n${output}`));
          } else {
            done();
          }
          clearTimeout(timer);
          watchers.delete(watch);
        };
        watchers.add(watch);
        watch();
      });
    },
    async kill() {
      if (running) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (!running) return;
      const forced = setTimeout(() => child.kill("SIGKILL"), 15_000);
      send({ type: "stop" });
      await exited;
      clearTimeout(forced);
    },
  };
  return wren;
}

/** Waits until every Wren process in `processes` is gone (stopping those still running). */
export async function stopAll(processes: Iterable<WrenProcess>): Promise<void> {
  await Promise.all([...processes].map((wren) => wren.stop()));
}
