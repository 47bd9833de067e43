import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ensureTestCertificates, type TestCertificates } from "../../setup/certs";
import { freePorts } from "./prosody";

const run = promisify(execFile);
const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), "ejabberd", "ejabberd.yml");

export interface EjabberdOptions {
  /**
   * Ask every TLS client for a certificate (sending one stays optional) and offer SASL EXTERNAL
   * (XEP-0178) to those the test CA signed; see `createClientCertificate` in test/setup/certs.ts.
   */
  clientCertificates?: boolean;
  /**
   * Refuse TLS 1.3. ejabberd 23.01 binds SCRAM-*-PLUS to tls-unique only, which is defined for
   * TLS 1.2 alone, so this is how its -PLUS mechanisms are tested.
   */
  tls12Only?: boolean;
  certs?: TestCertificates;
  /**
   * Where the run folder goes (default: the system's temp folder); removed again by `stop()`
   * unless WREN_KEEP_EJABBERD is set. Every folder above it must be open to the `ejabberd` user:
   * a clone under /root or a private mktemp folder is not, which is why the default is not
   * test-output/.
   */
  parent?: string;
}

export interface RunningEjabberd {
  /** Where to connect: loopback only. */
  host: string;
  /** Stores SCRAM-SHA-1 keys: offers SCRAM-SHA-1 and SCRAM-SHA-1-PLUS. */
  domain: string;
  /** Stores SCRAM-SHA-256 keys: offers SCRAM-SHA-256 and SCRAM-SHA-256-PLUS. */
  sha256Domain: string;
  /** STARTTLS port; TLS is required before anything else. */
  c2sPort: number;
  /** XEP-0368 direct TLS port. */
  directTlsPort: number;
  dir: string;
  /** Creates an account, on `domain` unless told otherwise. */
  register(user: string, password: string, domain?: string): Promise<void>;
  /** Stops the node and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a private ejabberd 23.01 on free loopback ports and waits until both c2s ports accept
 * (≈2 s). `ejabberdctl` runs the node as the `ejabberd` user, so this needs root, like CI.
 */
export async function startEjabberd(options: EjabberdOptions = {}): Promise<RunningEjabberd> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "ejabberdctl switches to the ejabberd user, so the ejabberd fixture needs root",
    );
  }
  const certs = options.certs ?? ensureTestCertificates();
  const id = `${process.pid}-${Date.now()}-${randomBytes(3).toString("hex")}`;
  const dir = resolve(options.parent ?? tmpdir(), `wren-ejabberd-${id}`);
  // Unique per run, so parallel runs and stale nodes never answer for each other.
  const node = `wren-${id}@localhost`;
  const [c2sPort = 0, directTlsPort = 0, distPort = 0] = await freePorts(3);

  mkdirSync(join(dir, "logs"), { recursive: true });
  mkdirSync(join(dir, "spool"));
  copyFileSync("/etc/ejabberd/inetrc", join(dir, "inetrc"));
  copyFileSync(certs.caPath, join(dir, "ca.pem"));
  writeFileSync(
    join(dir, "server.pem"),
    readFileSync(certs.certPath, "utf8") + readFileSync(certs.keyPath, "utf8"),
  );
  writeFileSync(
    join(dir, "ejabberd.yml"),
    fillTemplate(readFileSync(TEMPLATE, "utf8"), {
      DIR: dir,
      C2S_PORT: String(c2sPort),
      DIRECT_TLS_PORT: String(directTlsPort),
      TLS_VERIFY: String(options.clientCertificates ?? false),
      PROTOCOL_OPTIONS: options.tls12Only
        ? '["no_sslv3", "no_tlsv1", "no_tlsv1_1", "no_tlsv1_3"]'
        : '["no_sslv3", "no_tlsv1", "no_tlsv1_1"]',
    }),
  );
  // A fixed distribution port instead of epmd: nothing machine-wide to start, find or clash with.
  writeFileSync(
    join(dir, "ejabberdctl.cfg"),
    [
      `ERLANG_NODE=${node}`,
      `ERL_DIST_PORT=${distPort}`,
      "INET_DIST_INTERFACE=127.0.0.1",
      `EJABBERD_PID_PATH=${dir}/ejabberd.pid`,
      'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"',
      "",
    ].join("\n"),
  );
  await run("chown", ["-R", "ejabberd:ejabberd", dir]);

  let stopped = false;
  const shutdown = async (keepDir: boolean) => {
    if (stopped) return;
    stopped = true;
    await ejabberdctl(dir, ["stop"], 10_000).catch(() => undefined);
    await killNode(node, 8_000);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // -detached: returns once the VM is forked; the listeners open when ejabberd has started.
    await ejabberdctl(dir, ["start"]);
    const started = Date.now();
    // A bad config makes the VM halt: give up then rather than at the timeout.
    const gone = () => Date.now() - started > 3_000 && nodeProcesses(node).length === 0;
    await waitForPort(c2sPort, 30_000, gone);
    await waitForPort(directTlsPort, 30_000, gone);
  } catch (error) {
    const log = tail(join(dir, "logs", "ejabberd.log"));
    await shutdown(true);
    throw new Error(`ejabberd did not start; see ${dir}/logs\n${log}`, { cause: error });
  }

  const domain = "localhost";
  return {
    host: "127.0.0.1",
    domain,
    sha256Domain: "sha256.localhost",
    c2sPort,
    directTlsPort,
    dir,
    async register(user, password, host = domain) {
      await ejabberdctl(dir, ["register", user, host, password]);
    },
    stop: () => shutdown(Boolean(process.env.WREN_KEEP_EJABBERD)),
  };
}

function ejabberdctl(dir: string, args: string[], timeout = 20_000) {
  // prettier-ignore
  return run("ejabberdctl", [
    "--config-dir", dir, "--config", join(dir, "ejabberd.yml"),
    "--ctl-config", join(dir, "ejabberdctl.cfg"),
    "--logs", join(dir, "logs"), "--spool", join(dir, "spool"),
    ...args,
  ], { timeout });
}

function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`ejabberd.yml: unknown placeholder ${name}`);
    return value;
  });
}

/** Waits for the node's VM to exit, then kills whatever of it is left. */
async function killNode(node: string, graceMs: number): Promise<void> {
  const until = Date.now() + graceMs;
  let pids = nodeProcesses(node);
  while (pids.length > 0 && Date.now() < until) {
    await sleep(100);
    pids = nodeProcesses(node);
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * The VM started for `node`: its command line names the node exactly (`-sname <node>`), which the
 * short-lived ejabberdctl VMs, named `<id>-ctl-<node>`, do not.
 */
function nodeProcesses(node: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (args.includes(node)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

async function waitForPort(port: number, timeoutMs: number, gone: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    if (gone()) throw new Error("the ejabberd VM exited");
    if (Date.now() > until) throw new Error(`port ${port} did not open`);
    await sleep(100);
  }
}

function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return "(no ejabberd.log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
