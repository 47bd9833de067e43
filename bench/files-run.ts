import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { get, request } from "node:https";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { AccountState } from "../main/core/account-state";
import { createSession } from "../main/core/account-runtime";
import type { UploadFile } from "../main/core/features/upload/http-upload";
import { downloadFile } from "../main/files/fetch-file";
import { configureLogging } from "../main/shared/log";

// The measuring half of bench/files.ts, in a process of its own (see there).

export interface FilesRunInput {
  host: string;
  port: number;
  account: { jid: string; password: string };
  file: string;
  size: number;
  dir: string;
}

export interface Measured {
  ms: number;
  /** Largest RSS during the transfer, less the RSS before it. */
  rssGrowth: number;
}

export interface FilesRunResult {
  upload: { raw: Measured; wren: Measured };
  download: { raw: Measured; wren: Measured };
}

const RSS_SAMPLE_MS = 20;

async function measure(work: () => Promise<unknown>): Promise<Measured> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  const start = performance.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - start;
  peak = Math.max(peak, process.memoryUsage.rss());
  return { ms, rssGrowth: peak - before };
}

/** A plain Node https PUT of the file to the slot: the baseline. */
async function rawPut(url: URL, headers: Record<string, string>, file: UploadFile): Promise<void> {
  const req = request(url, {
    method: "PUT",
    headers: { ...headers, "Content-Type": file.contentType, "Content-Length": String(file.size) },
  });
  const answered = new Promise<number>((resolve, reject) => {
    req.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on("error", reject);
  });
  await pipeline(createReadStream(file.path), req);
  const status = await answered;
  if (status !== 201) throw new Error(`the raw PUT got HTTP ${status}`);
}

/** A plain Node https GET of `url` into `path`: the baseline. */
function rawGet(url: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      if (response.statusCode !== 200) reject(new Error(`the raw GET got ${response.statusCode}`));
      pipeline(response, createWriteStream(path)).then(resolve, reject);
    }).on("error", reject);
  });
}

async function main(): Promise<void> {
  configureLogging({ sinks: [], level: "error" });
  const input = JSON.parse(process.argv[2]!) as FilesRunInput;
  const state = new AccountState({ jid: input.account.jid, accountId: input.account.jid });
  const session = createSession({
    jid: input.account.jid,
    password: input.account.password,
    host: input.host,
    port: input.port,
    directTls: false,
    state,
  });
  await session.start();
  const file: UploadFile = {
    path: input.file,
    name: "big.bin",
    size: input.size,
    contentType: "application/octet-stream",
  };

  let rawUrl = "";
  const rawUpload = await measure(async () => {
    const slot = await state.upload.slot(file);
    await rawPut(slot.putUrl, slot.headers, file);
    rawUrl = slot.getUrl.href;
  });
  let wrenUrl = "";
  let progressCalls = 0;
  const wrenUpload = await measure(async () => {
    wrenUrl = await state.upload.upload(file, { onProgress: () => progressCalls++ });
  });
  if (progressCalls === 0) throw new Error("no progress was reported");

  const rawPath = join(input.dir, "raw.bin");
  const rawDownload = await measure(() => rawGet(rawUrl, rawPath));
  await rm(rawPath);
  let saved = "";
  const wrenDownload = await measure(async () => {
    const done = await downloadFile(new URL(wrenUrl), {
      ownServer: "localhost",
      dir: input.dir,
      name: "big.bin",
      maxBytes: input.size,
    });
    if (done.size !== input.size) throw new Error(`downloaded ${done.size} bytes`);
    saved = done.path;
  });
  await rm(saved);
  await session.stop();
  const result: FilesRunResult = {
    upload: { raw: rawUpload, wren: wrenUpload },
    download: { raw: rawDownload, wren: wrenDownload },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
