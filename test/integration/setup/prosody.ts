import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestCertificates } from "../../setup/certs";

const run = promisify(execFile);
const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), "prosody.cfg.lua");

export interface RunningProsody {
  dir: string;
  configPath: string;
  c2sPort: number;
  directTlsPort: number;
  /** Prosody's HTTPS port (the file upload service). */
  httpsPort: number;
  stop(): Promise<void>;
}

/** The upload service's limit per file, unless told otherwise (the tests' files are small). */
const UPLOAD_LIMIT = 1024 * 1024;

/** Starts a private Prosody on free loopback ports and waits until its ports accept. */
export async function startProsody(
  certs: TestCertificates,
  parent = "test-output/prosody",
  options: { uploadLimit?: number } = {},
): Promise<RunningProsody> {
  const uploadLimit = options.uploadLimit ?? UPLOAD_LIMIT;
  const dir = newRunDir(parent);
  const [c2sPort = 0, directTlsPort = 0, httpsPort = 0] = await freePorts(3);
  const configPath = writeConfig(TEMPLATE, dir, {
    C2S_PORT: String(c2sPort),
    DIRECT_TLS_PORT: String(directTlsPort),
    HTTPS_PORT: String(httpsPort),
    UPLOAD_LIMIT: String(uploadLimit),
    UPLOAD_QUOTA: String(uploadLimit * 10),
    CERT: certs.certPath,
    KEY: certs.keyPath,
  });
  await launchProsody(configPath, dir);
  const stop = () => stopProsodyIn(dir);
  try {
    await waitForPort(c2sPort);
    await waitForPort(directTlsPort);
    await waitForPort(httpsPort);
  } catch (error) {
    await stop();
    throw new Error(`Prosody did not start; see ${dir}/prosody.log`, { cause: error });
  }
  return { dir, configPath, c2sPort, directTlsPort, httpsPort, stop };
}

/** A new scratch folder for one Prosody run (with its data and certs folders). */
export function newRunDir(parent: string): string {
  const dir = resolve(parent, `run-${process.pid}-${Date.now()}`);
  mkdirSync(join(dir, "data"), { recursive: true });
  mkdirSync(join(dir, "certs"));
  return dir;
}

/**
 * Writes `template` into `dir` with its {{…}} placeholders replaced (DIR is `dir`); an unknown
 * placeholder is an error. Returns the configuration's path.
 */
export function writeConfig(template: string, dir: string, values: Record<string, string>): string {
  const all: Record<string, string> = { DIR: dir, ...values };
  const config = readFileSync(template, "utf8").replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = all[name];
    if (value === undefined) throw new Error(`prosody.cfg.lua: unknown placeholder ${name}`);
    return value;
  });
  const configPath = join(dir, "prosody.cfg.lua");
  writeFileSync(configPath, config);
  return configPath;
}

/** Starts Prosody from `configPath`; resolves once it daemonized (its ports open shortly after). */
export function launchProsody(configPath: string, dir: string): Promise<void> {
  return new Promise<void>((done, fail) => {
    const child = spawn("prosody", ["--config", configPath, "-D"], { stdio: "ignore" });
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0 ? done() : fail(new Error(`prosody exited with ${code}; see ${dir}/prosody.log`)),
    );
  });
}

/**
 * Stops the Prosody running from `dir` the way a service manager does (SIGTERM: it closes every
 * stream and saves what it holds) and waits until it is gone; SIGKILL if it takes over 5 s.
 */
export async function stopProsodyIn(dir: string): Promise<void> {
  const pid = readPid(join(dir, "prosody.pid"));
  if (pid === null || !isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
}

export async function prosodyctl(configPath: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("prosodyctl", ["--config", configPath, ...args], {
    timeout: 20_000,
  });
  return stdout;
}

/** Ports that were free a moment ago (the OS picks; we close and hand them to Prosody). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done, fail) => {
          const server = createServer();
          server.on("error", fail);
          server.listen(0, "127.0.0.1", () => done(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/** Resolves once something accepts connections on the loopback `port`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
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
    if (Date.now() > until) throw new Error(`port ${port} did not open`);
    await sleep(50);
  }
}

function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
