import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestCertificates } from "../../setup/certs";
import {
  freePorts,
  launchProsody,
  newRunDir,
  stopProsodyIn,
  waitForPort,
  writeConfig,
} from "../../integration/setup/prosody";

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
  const dir = newRunDir(parent);
  const [c2sPort = 0] = await freePorts(1);
  const configPath = writeConfig(TEMPLATE, dir, {
    C2S_PORT: String(c2sPort),
    CERT: certs.certPath,
    KEY: certs.keyPath,
    HIBERNATION_SECONDS: String(HIBERNATION_SECONDS),
  });
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
  await launchProsody(server.configPath, server.dir);
  await waitForPort(server.c2sPort);
}

/** Stops Prosody as a service manager would (SIGTERM), and waits until the process is gone. */
export function stopServer(server: FaultServer): Promise<void> {
  return stopProsodyIn(server.dir);
}

export async function restartServer(server: FaultServer): Promise<void> {
  await stopServer(server);
  await startServer(server);
}
