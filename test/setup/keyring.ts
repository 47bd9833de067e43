import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * A real Secret Service for the keychain tests: a private D-Bus session bus with gnome-keyring on it,
 * its login keyring created and unlocked in a temporary HOME. It never sees the user's own session
 * bus or keyrings.
 *
 * Start it before vitest (libsecret reads DBUS_SESSION_BUS_ADDRESS once per process) and give vitest
 * `env`. Returns null when dbus-daemon, dbus-send or gnome-keyring-daemon is not installed
 * (Debian: `apt-get install dbus gnome-keyring`).
 */
export interface PrivateKeyring {
  /** For the test process: DBUS_SESSION_BUS_ADDRESS, and WREN_TEST_KEYRING to say it is private. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const KEYRING_PASSWORD = "wren-test-keyring";

export async function startPrivateKeyring(): Promise<PrivateKeyring | null> {
  const tools = ["dbus-daemon", "dbus-send", "gnome-keyring-daemon"].map(findExecutable);
  const [dbusDaemon, dbusSend, keyringDaemon] = tools;
  if (dbusDaemon === undefined || dbusSend === undefined || keyringDaemon === undefined) {
    return null;
  }

  const dir = mkdtempSync(join(tmpdir(), "wren-keyring-"));
  const home = join(dir, "home");
  for (const sub of ["home", "data", "config", "cache", "runtime"]) {
    mkdirSync(join(dir, sub), { mode: 0o700 });
  }
  // Everything gnome-keyring might write goes under `dir`; no display, so it never tries to prompt.
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_CACHE_HOME: join(dir, "cache"),
    XDG_RUNTIME_DIR: join(dir, "runtime"),
  };
  for (const name of [
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "GNOME_KEYRING_CONTROL",
  ]) {
    delete baseEnv[name];
  }

  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const child of [...children].reverse()) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    }
  };
  // If the runner dies without calling stop(), do not leave daemons behind.
  process.once("exit", killAll);

  const stop = async () => {
    process.removeListener("exit", killAll);
    const exits = children.map(exited);
    killAll();
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const bus = spawn(
      dbusDaemon,
      [
        "--session",
        "--nofork",
        "--nopidfile",
        `--address=unix:path=${join(dir, "bus")}`,
        "--print-address=1",
      ],
      { env: baseEnv, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(bus);
    const address = await firstLine(bus, "dbus-daemon");
    const env = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: address };

    const keyring = spawn(keyringDaemon, ["--foreground", "--unlock", "--components=secrets"], {
      env,
      stdio: ["pipe", "ignore", "pipe"],
    });
    children.push(keyring);
    // --unlock reads the login keyring's password from stdin, creating the keyring if there is none.
    keyring.stdin?.end(KEYRING_PASSWORD);
    await waitForSecretService(dbusSend, env, keyring);

    return { env: { DBUS_SESSION_BUS_ADDRESS: address, WREN_TEST_KEYRING: dir }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function findExecutable(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  // Debian keeps dbus-daemon in /usr/bin, but some PATHs (sudo, CI shells) lack /usr/sbin etc.
  for (const folder of ["/usr/bin", "/usr/sbin", "/bin"]) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here either
    }
  }
  return undefined;
}

function collectStderr(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return () => text.trim();
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  const stderr = collectStderr(child);
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(
      () =>
        reject(new Error(`${name} printed no address within ${READY_TIMEOUT_MS} ms: ${stderr()}`)),
      READY_TIMEOUT_MS,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\n");
      if (end >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, end).trim());
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${stderr()}`));
    });
  });
}

/** Until gnome-keyring owns org.freedesktop.secrets; before that, a call would start a locked one. */
async function waitForSecretService(
  dbusSend: string,
  env: NodeJS.ProcessEnv,
  keyring: ChildProcess,
): Promise<void> {
  const stderr = collectStderr(keyring);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (keyring.exitCode !== null || keyring.signalCode !== null) {
      throw new Error(`gnome-keyring-daemon exited before it was ready: ${stderr()}`);
    }
    const answer = spawnSync(
      dbusSend,
      [
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner",
        "string:org.freedesktop.secrets",
      ],
      { env, encoding: "utf8", timeout: 2_000 },
    );
    if (answer.status === 0 && /boolean true/.test(answer.stdout)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gnome-keyring-daemon did not start within ${READY_TIMEOUT_MS} ms: ${stderr()}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, 3_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
