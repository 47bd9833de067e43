import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureTestCertificates } from "../test/setup/certs";
import { registerAccount } from "../test/integration/setup/accounts";
import { prosodyctl, startProsody } from "../test/integration/setup/prosody";
import type { CatchUpRunInput, CatchUpRunResult } from "./catch-up-run";
import { runTrustingChild } from "./trusting-child";
import { table as aligned } from "./table";

// Archive catch-up (issue #9): 10,000 messages waiting in the account's archive on a local
// Prosody, fetched after a session that was not resumed. Client CPU time (all threads: the store's
// worker too) and wall time, against a baseline in the same run: xmpp.js's own client paging
// through the same archive with the same page size and doing nothing with what it gets — the cost
// of the protocol alone. Offline storage is unloaded, so that each message reaches Wren once,
// through the archive (Prosody would otherwise also deliver all 10,000 live at sign-in).
// Measured in a child process started with the test CA trusted (Node reads NODE_EXTRA_CA_CERTS
// only at start), Prosody's own CPU not counted.

const MESSAGES = 10_000;
const CPU_TARGET_MS = 1_000;

export async function catchUpBench(): Promise<string> {
  const certs = ensureTestCertificates();
  const parent = await mkdtemp(join(tmpdir(), "wren-bench-prosody-"));
  const prosody = await startProsody(certs, parent);
  const dataDir = await mkdtemp(join(tmpdir(), "wren-bench-catch-up-"));
  try {
    await prosodyctl(prosody.configPath, "shell", "module:unload('offline', 'localhost')");
    const [alice, bob] = await Promise.all([
      registerAccount(prosody.configPath),
      registerAccount(prosody.configPath),
    ]);
    const input: CatchUpRunInput = {
      host: "127.0.0.1",
      port: prosody.c2sPort,
      alice,
      bob,
      messages: MESSAGES,
      dataDir,
    };
    const result = await runTrustingChild<CatchUpRunResult>(
      "bench/catch-up-run.ts",
      input,
      resolve(certs.caPath),
    );
    return table(result);
  } finally {
    await prosody.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(parent, { recursive: true, force: true });
  }
}

function table(result: CatchUpRunResult): string {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const rows = [
    ["Archive catch-up, 10,000 messages", "CPU", "wall", "kept"],
    [
      "xmpp.js client, pages only (baseline)",
      ms(result.baseline.cpuMs),
      ms(result.baseline.wallMs),
      `${result.baseline.messages} seen`,
    ],
    [
      "Wren: fetch, dedupe, store (FTS), show",
      ms(result.wren.cpuMs),
      ms(result.wren.wallMs),
      `${result.wren.messages} stored`,
    ],
    [
      `target: Wren CPU ≤ ${CPU_TARGET_MS} ms`,
      result.wren.cpuMs <= CPU_TARGET_MS ? "met" : "NOT met",
      `${(result.wren.cpuMs / result.baseline.cpuMs).toFixed(1)}× baseline CPU`,
      "",
    ],
  ];
  return aligned(rows);
}
