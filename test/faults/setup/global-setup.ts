import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureTestCertificates } from "../../setup/certs";
import { removeRunDir } from "../../integration/setup/prosody";
import { startFaultProsody, stopServer, type FaultServer } from "./prosody";

declare module "vitest" {
  export interface ProvidedContext {
    faultServer: FaultServer;
  }
}

export default async function setup(project: TestProject) {
  const certs = ensureTestCertificates();
  const trusted = process.env.NODE_EXTRA_CA_CERTS;
  if (!trusted || resolve(trusted) !== certs.caPath) {
    throw new Error(
      `Fault tests need NODE_EXTRA_CA_CERTS=${certs.caPath} (test/run.ts sets it): Wren and the ` +
        "Wren processes they start verify the server's certificate.",
    );
  }
  const server = await startFaultProsody(certs);
  project.provide("faultServer", server);
  return async () => {
    await stopServer(server);
    if (!process.env.WREN_KEEP_PROSODY) removeRunDir(server.dir);
  };
}
