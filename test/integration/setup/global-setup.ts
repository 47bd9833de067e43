import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureTestCertificates } from "../../setup/certs";
import { registerAccount, type TestAccount } from "./accounts";
import { removeRunDir, startProsody } from "./prosody";

/** What integration and e2e tests get through `inject("xmpp")`. */
export interface XmppTestServer {
  /** Where to connect: Prosody listens on loopback only. */
  host: string;
  /** The VirtualHost accounts live on; the test certificate covers it. */
  domain: string;
  /** Served by the same Prosody, but not covered by the test certificate. */
  uncertifiedDomain: string;
  /**
   * Stores SCRAM-SHA-256 keys, so it offers SCRAM-SHA-256 (and, under TLS 1.2 only,
   * SCRAM-SHA-256-PLUS) where `domain` offers SCRAM-SHA-1. Covered by the test certificate.
   */
  sha256Domain: string;
  /** An account on `sha256Domain`, registered at start-up. */
  sha256Account: TestAccount;
  /** STARTTLS port. */
  c2sPort: number;
  /** XEP-0368 direct TLS port. */
  directTlsPort: number;
  /** The HTTPS port of the upload service (upload.localhost, served as https://localhost). */
  httpsPort: number;
  /** For `prosodyctl --config`. */
  configPath: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    xmpp: XmppTestServer;
  }
}

export default async function setup(project: TestProject) {
  const certs = ensureTestCertificates();
  // Node reads NODE_EXTRA_CA_CERTS only at start-up, so it must already be set for the workers.
  const trusted = process.env.NODE_EXTRA_CA_CERTS;
  if (!trusted || resolve(trusted) !== certs.caPath) {
    throw new Error(
      `Integration tests need NODE_EXTRA_CA_CERTS=${certs.caPath} (test/run.ts sets it). ` +
        "Wren never turns certificate verification off, so without the test CA every TLS test fails.",
    );
  }

  const prosody = await startProsody(certs);
  const sha256Domain = "sha256.localhost";
  const sha256Account = await registerAccount(
    prosody.configPath,
    undefined,
    undefined,
    sha256Domain,
  ).catch(async (error: unknown) => {
    await prosody.stop();
    throw error;
  });
  project.provide("xmpp", {
    host: "127.0.0.1",
    domain: "localhost",
    uncertifiedDomain: "uncertified.localhost",
    sha256Domain,
    sha256Account,
    c2sPort: prosody.c2sPort,
    directTlsPort: prosody.directTlsPort,
    httpsPort: prosody.httpsPort,
    configPath: prosody.configPath,
  });

  return async () => {
    await prosody.stop();
    if (!process.env.WREN_KEEP_PROSODY) removeRunDir(prosody.dir);
  };
}
