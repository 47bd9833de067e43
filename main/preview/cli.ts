import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { previewLimitFrom } from "../files/preview-limit";
import { createApp } from "../app";
import { CREDENTIAL_SERVICE } from "../credentials/credential-store";
import { createKeytarStore, probeKeychain } from "../credentials/keytar-store";
import { WrenError } from "../shared/errors";
import { createLogger } from "../shared/log";
import { createPreviewCertificateChooser } from "./certificate-file";
import { createPreviewShell } from "./preview-shell";
import { startPreviewServer } from "./server";

// `npm run preview`: the real core in Node behind the built renderer, for development and UI tests.
// Certificates are trusted the way Node trusts them (NODE_EXTRA_CA_CERTS included); nothing is
// relaxed for the preview.

const DEFAULT_PORT = 5180;
/** Apart from the app's own entries, so a preview never touches the passwords Wren saved. */
const PREVIEW_KEYCHAIN_SERVICE = `${CREDENTIAL_SERVICE}.preview`;

async function main() {
  const port = parsePort(process.env.PREVIEW_PORT);
  const dataDir = process.env.WREN_DATA_DIR || mkdtempSync(join(tmpdir(), "wren-preview-"));
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, "preview.log");

  const wren = createApp({
    dataDir,
    // Every logger writes to the file: stdout stays for the URL.
    logging: { sinks: [{ write: (line) => appendFileSync(logFile, line) }], level: "debug" },
    // No Electron, so no safeStorage: the keychain if one works here, else the person is asked.
    credentials: {
      safeStorage: null,
      probeKeychain: () => probeKeychain({ service: PREVIEW_KEYCHAIN_SERVICE }),
      createKeychainStore: () => createKeytarStore({ service: PREVIEW_KEYCHAIN_SERVICE }),
    },
    openExternal: async () => {
      throw new WrenError("not-available", "The browser preview does not open links.");
    },
    chooseCertificateFile: createPreviewCertificateChooser(),
    files: {
      downloadsDir: process.env.WREN_DOWNLOAD_DIR || join(dataDir, "Downloads"),
      maxPreviewBytes: previewLimitFrom(process.env.WREN_IMAGE_PREVIEW_MAX_BYTES),
      ...createPreviewShell(join(dataDir, "preview-shell.jsonl")),
    },
  });
  const log = createLogger("preview/server");
  const server = await startPreviewServer({
    port,
    rendererDir: resolve(import.meta.dirname, "../../out/preview-renderer"),
    dispatch: wren.dispatch,
    subscribe: (listener) => wren.service.onEvents(listener),
    log: (line) => log.info(line),
  });

  console.log(`Wren preview: ${server.url}`);
  console.log(`Data and log: ${dataDir}`);
  // In the background: commands wait for it, and a slow keychain probe must not hold up the URL.
  void wren.start();

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await wren.dispose();
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

function parsePort(value: string | undefined): number {
  if (!value) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PREVIEW_PORT must be a port number, not "${value}".`);
  }
  return port;
}

main().catch((error: unknown) => {
  console.error(
    `Wren preview could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
