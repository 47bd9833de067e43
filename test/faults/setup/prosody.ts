import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestCertificates } from "../../setup/certs";
import { freePorts } from "../../integration/setup/prosody";

const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), "prosody.cfg.lua");

/** XEP-0198 resumption window of the fault tests' server: a session lost longer than this is gone. */
export const HIBERNATION_SECONDS = 4;

/** The fault tests' own Prosody: it is stopped and started again by the tests themselves. */
export interface FaultServer {
  host: string;
  domain: string;
  c2sPort: number;
  configPath: string;
  dir: string;
  hibernationSeconds: number;
}

/** Writes the configuration into a new scratch folder and starts Prosody from it. */
export async function startFaultProsody(
  certs: TestCertificates,
  parent = "test-output/prosody-faults",
): Promise<FaultServer> {
  const dir = resolve(parent, `run-${process.pid}-${Date.now()}`);
  mkdirSync(join(dir, "data"), { recursive: true });
  mkdirSync(join(dir, "certs"));
  const [c2sPort = 0] = await freePorts(1);
  const values: Record<string, string> = {
    DIR: dir,
    C2S_PORT: String(c2sPort),
    CERT: certs.certPath,
    KEY: certs.keyPath,
    HIBERNATION_SECONDS: String(HIBERNATION_SECONDS),
  };
  const configPath = join(dir, "prosody.cfg.lua");
  const config = readFileSync(TEMPLATE, "utf8").replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`prosody.cfg.lua: unknown placeholder ${name}`);
    return value;
  });
  writeFileSync(configPath, config);
  const server: FaultServer = {
    host: "127.0.0.1",
    domain: "localhost",
    c2sPort,
    configPath,
    dir,
    hibernationSeconds: HIBERNATION_SECONDS,
  };
  await startServer(server);
  return server;
}

/** Starts Prosody (again) from its configuration and waits until its port accepts connections. */
export async function startServer(server: FaultServer): Promise<void> {
  // -D daemonizes; the parent exits once the daemon forked. The port opens shortly after.
  await new Promise<void>((done, fail) => {
    const child = spawn("prosody", ["--config", server.configPath, "-D"], { stdio: "ignore" });
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0
        ? done()
        : fail(new Error(`prosody exited with ${code}; see ${server.dir}/prosody.log`)),
    );
  });
  await waitForPort(server.c2sPort);
}

/**
 * Stops Prosody the way a service manager does (SIGTERM: it closes every stream and saves what it
 * holds), and waits until the process is gone. SIGKILL only if it does not end within 5 s.
 */
export async function stopServer(server: FaultServer): Promise<void> {
  const pid = readPid(join(server.dir, "prosody.pid"));
  if (pid === null || !isAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(50);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
}

export async function restartServer(server: FaultServer): Promise<void> {
  await stopServer(server);
  await startServer(server);
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
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
