import { open, mkdtemp, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureTestCertificates } from "../test/setup/certs";
import { registerAccount } from "../test/integration/setup/accounts";
import { startProsody } from "../test/integration/setup/prosody";
import type { FilesRunInput, FilesRunResult, Measured } from "./files-run";
import { runTrustingChild } from "./trusting-child";
import { table } from "./table";

// Files (issue #10): a 1 GiB file uploaded to the local Prosody's upload service
// (mod_http_file_share, over HTTPS) and downloaded again, by Wren and, as the baseline in the same
// run, by a plain Node https PUT / GET of the same file to the same server. Throughput as a ratio
// of the baseline's (target ≥ 70 %) and the growth of the process's RSS during each transfer
// (target ≤ 32 MiB). Measured in a child process started with the test CA trusted (Node reads
// NODE_EXTRA_CA_CERTS only at start); Prosody's own work is not counted.

const SIZE = 1024 * 1024 * 1024;
const RATIO_TARGET = 0.7;
const RSS_TARGET = 32 * 1024 * 1024;

export async function filesBench(): Promise<string> {
  const certs = ensureTestCertificates();
  const parent = await mkdtemp(join(tmpdir(), "wren-bench-prosody-"));
  const dir = await mkdtemp(join(tmpdir(), "wren-bench-files-"));
  const prosody = await startProsody(certs, parent, { uploadLimit: SIZE });
  try {
    const account = await registerAccount(prosody.configPath);
    const file = join(dir, "big.bin");
    await writeBigFile(file, SIZE);
    const input: FilesRunInput = {
      host: "127.0.0.1",
      port: prosody.c2sPort,
      account,
      file,
      size: SIZE,
      dir,
    };
    return report(
      await runTrustingChild<FilesRunResult>("bench/files-run.ts", input, resolve(certs.caPath), [
        "--expose-gc",
      ]),
    );
  } finally {
    await prosody.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(parent, { recursive: true, force: true });
  }
}

/** `size` bytes of random data (one random MiB, repeated: the disk, not the generator, is timed). */
async function writeBigFile(path: string, size: number): Promise<void> {
  const block = randomBytes(1024 * 1024);
  const handle = await open(path, "w");
  try {
    for (let written = 0; written < size; written += block.length) await handle.write(block);
  } finally {
    await handle.close();
  }
}

function report(result: FilesRunResult): string {
  const rate = (m: Measured) => `${(SIZE / 1024 / 1024 / (m.ms / 1000)).toFixed(0)} MiB/s`;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const row = (what: string, pair: { raw: Measured; wren: Measured }) => {
    const ratio = pair.raw.ms / pair.wren.ms;
    return [
      what,
      `${rate(pair.raw)} (RSS +${mib(pair.raw.rssGrowth)})`,
      rate(pair.wren),
      `${(ratio * 100).toFixed(0)} %`,
      `+${mib(pair.wren.rssGrowth)}`,
      `>= ${RATIO_TARGET * 100} %, <= ${mib(RSS_TARGET)}`,
      ratio >= RATIO_TARGET && pair.wren.rssGrowth <= RSS_TARGET ? "PASS" : "FAIL",
    ];
  };
  return [
    "Files: 1 GiB over HTTPS to and from the local Prosody's upload service; wall clock",
    "",
    table([
      [
        "transfer",
        "plain Node https (baseline)",
        "Wren",
        "of baseline",
        "Wren RSS",
        "target",
        "verdict",
      ],
      row("upload (XEP-0363 PUT)", result.upload),
      row("download", result.download),
    ]),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await filesBench());
}
