// One whole Wren in a Node process of its own — the composition root the app and the preview use,
// its database in the data folder given as the first argument — driven by the test over Node's IPC
// channel. The test SIGKILLs it at chosen moments and starts it again on the same folder, as a
// person's computer would crash and restart. Started by wren-process.ts; not a product entry point.
//
// What differs from the app: passwords are kept by a stand-in for Electron's safeStorage (the
// account signs in again by itself after a restart, as it does in the app), and the link checks and
// reconnect back-off are quicker, so that a test waits seconds instead of tens of seconds. What is
// tested — every message exactly once — does not depend on those timings.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../../main/app";
import { createSession } from "../../../main/core/account-runtime";
import { WrenError } from "../../../main/shared/errors";
import type { RunnerMessage, TestMessage } from "./runner-protocol";

const dataDir = process.argv[2];
if (!dataDir || !process.send) {
  console.error("usage: forked with an IPC channel, the data folder as the first argument");
  process.exit(2);
}
const send = (message: RunnerMessage) => process.send?.(message);

const app = createApp({
  dataDir,
  logging: {
    sinks: [{ write: (line) => appendFileSync(join(dataDir, "wren.log"), line) }],
    level: "debug",
  },
  credentials: {
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => "gnome_libsecret",
      encryptString: (text) => Buffer.from(text, "utf8").reverse(),
      decryptString: (data) => Buffer.from(data).reverse().toString("utf8"),
    },
    probeKeychain: async () => ({
      available: false,
      reason: "No keychain in the fault tests.",
      detail: "not probed",
    }),
  },
  openExternal: async () => {
    throw new WrenError("not-available", "The fault tests open no links.");
  },
  files: {
    downloadsDir: join(dataDir, "Downloads"),
    openPath: async () => {},
    showInFolder: async () => {},
  },
  chooseCertificateFile: async () => null,
  createSession: (options) =>
    createSession({
      ...options,
      liveness: { foregroundIntervalMs: 1_500, timeoutMs: 1_500 },
      backoff: { baseMs: 250, capMs: 1_000 },
    }),
});

app.service.onEvents((events) => send({ type: "events", events }));

process.on("message", (message: TestMessage) => {
  if (message.type === "command") {
    app
      .dispatch(message.command, message.args)
      .then((envelope) => send({ type: "reply", id: message.id, envelope }))
      .catch((error: unknown) =>
        send({
          type: "reply",
          id: message.id,
          envelope: { ok: false, error: { code: "internal", message: String(error) } },
        }),
      );
  } else if (message.type === "stop") {
    void stop();
  }
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await app.dispose();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
// The test that started it is gone: so is this Wren.
process.on("disconnect", () => process.exit(1));

send({ type: "ready" });
void app.start();
