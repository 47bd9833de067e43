import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDispatch } from "../api/dispatch";
import { createWrenService } from "../api/service";
import { WrenError } from "../api/user-error";
import { createSession } from "../core/session";
import { startPreviewServer } from "./server";

// `npm run preview`: the real core in Node behind the built renderer, for development and UI tests.
// Certificates are trusted the way Node trusts them (NODE_EXTRA_CA_CERTS included); nothing is
// relaxed for the preview.

const DEFAULT_PORT = 5180;

async function main() {
  const port = parsePort(process.env.PREVIEW_PORT);
  const dataDir = process.env.WREN_DATA_DIR || mkdtempSync(join(tmpdir(), "wren-preview-"));
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, "preview.log");
  const log = (line: string) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);

  const service = createWrenService({
    createSession,
    openExternal: async () => {
      throw new WrenError("not-available", "The browser preview does not open links.");
    },
  });
  const dispatch = createDispatch(service.handlers, {
    onInternalError: (name, error) =>
      log(
        `command ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
  });
  const server = await startPreviewServer({
    port,
    rendererDir: resolve(import.meta.dirname, "../../out/preview-renderer"),
    dispatch,
    subscribe: (listener) => service.onEvents(listener),
    log,
  });

  console.log(`Wren preview: ${server.url}`);
  console.log(`Data and log: ${dataDir}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.dispose();
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
