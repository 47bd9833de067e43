import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, unlink } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import type { LookupFunction } from "node:net";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileTypeFromBuffer } from "file-type";
import { RefusedUrlError, resolveFileUrl, type ResolvedAddress } from "./remote-address";
import { numbered, saveName } from "./save-name";

export interface FetchOptions {
  /** The account's server: its own host may be on a private address (see resolveFileUrl). */
  ownServer: string;
  signal?: AbortSignal;
  /** Give up when nothing moved for this long. */
  idleMs?: number;
  /** For tests: how host names become addresses. */
  resolve?: Parameters<typeof resolveFileUrl>[2];
}

/** What a HEAD request told about a file. */
export interface FileHead {
  /** Where the file is, after redirects. */
  url: URL;
  size: number | null;
  mediaType: string | null;
}

export interface DownloadOptions extends FetchOptions {
  /** The folder it is saved in (created if missing). */
  dir: string;
  /** The name the file came with (from the network: made safe before use). */
  name: string;
  /** Never more than this many bytes, whatever the server announces. */
  maxBytes: number;
  onProgress?: (received: number, total: number | null) => void;
}

export interface Downloaded {
  path: string;
  size: number;
  /** The type sniffed from its first bytes, when recognised. */
  mediaType: string | null;
}

/** A fetch that failed, in words for the person. */
export class FetchError extends Error {
  override name = "FetchError";
}

const MAX_REDIRECTS = 5;
const DEFAULT_IDLE_MS = 60_000;
const SNIFF_BYTES = 4100;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Asks the file's server for its size and type (HEAD), following https redirects only. */
export async function headFile(url: URL, options: FetchOptions): Promise<FileHead> {
  const { response, url: final } = await follow("HEAD", url, options);
  response.resume();
  if (response.statusCode !== 200) throw statusError(response.statusCode ?? 0);
  return { url: final, size: contentLength(response), mediaType: mediaTypeOf(response) };
}

/**
 * Downloads the file at `url` into `options.dir`, streamed, never more bytes than the server
 * announced nor than `maxBytes`. Saved under a safe name (saveName) that overwrites nothing; a
 * failed or cancelled download leaves nothing behind.
 */
export async function downloadFile(url: URL, options: DownloadOptions): Promise<Downloaded> {
  const started = await startGet(url, options, options.maxBytes);
  if (!started) throw new FetchError("The file is larger than Wren downloads.");
  const { response, announced } = started;
  const limit = announced ?? options.maxBytes;
  await mkdir(options.dir, { recursive: true });
  const partial = join(options.dir, `.wren-${randomBytes(8).toString("hex")}.part`);
  let received = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > limit) {
        done(new FetchError("The server sent more than it announced; the download was stopped."));
        return;
      }
      if (headBytes < SNIFF_BYTES) {
        head.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
        headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
      }
      options.onProgress?.(received, announced);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, counter, createWriteStream(partial, { flags: "wx", mode: 0o644 }), {
      ...(options.signal && { signal: options.signal }),
    });
    if (announced !== null && received !== announced) {
      throw new FetchError("The download ended early; try again.");
    }
    const sniffed = await sniff(Buffer.concat(head));
    const path = await placeWithoutOverwriting(
      partial,
      options.dir,
      saveName(options.name, sniffed?.ext ?? null),
    );
    return { path, size: received, mediaType: sniffed?.mime ?? null };
  } catch (error) {
    response.destroy();
    await unlink(partial).catch(() => undefined);
    if (options.signal?.aborted) throw options.signal.reason;
    throw error instanceof FetchError ? error : new FetchError("The download failed.");
  }
}

/**
 * The file at `url` in memory when it has at most `maxBytes` (a preview): null when it is larger,
 * which is known from its announced size or as soon as more bytes arrive.
 */
export async function fetchSmallFile(
  url: URL,
  options: FetchOptions & { maxBytes: number },
): Promise<{ bytes: Buffer; mediaType: string | null } | null> {
  const started = await startGet(url, options, options.maxBytes);
  if (!started) return null;
  const { response, announced } = started;
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > options.maxBytes || (announced !== null && received > announced)) {
        response.destroy();
        return null;
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw toFetchError(error, options.signal);
  }
  if (announced !== null && received !== announced) {
    throw new FetchError("The download ended early; try again.");
  }
  const bytes = Buffer.concat(chunks);
  return { bytes, mediaType: (await sniff(bytes.subarray(0, SNIFF_BYTES)))?.mime ?? null };
}

/** The type the first bytes say; unknown (never a failure) when the bytes are unreadable. */
async function sniff(head: Buffer): Promise<{ ext: string; mime: string } | null> {
  try {
    return (await fileTypeFromBuffer(head)) ?? null;
  } catch {
    return null;
  }
}

/** Gives `partial` its name in `dir`: "name.ext", else "name (1).ext", …; never replaces a file. */
async function placeWithoutOverwriting(
  partial: string,
  dir: string,
  name: string,
): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const path = join(dir, numbered(name, n));
    try {
      await link(partial, path);
      await unlink(partial);
      return path;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
  throw new FetchError("There are too many files of this name in the folder.");
}

/** A GET answered 200, and the size it announced; null when that is over `maxBytes`. */
async function startGet(
  url: URL,
  options: FetchOptions,
  maxBytes: number,
): Promise<{ response: IncomingMessage; announced: number | null } | null> {
  const { response } = await follow("GET", url, options);
  if (response.statusCode !== 200) {
    response.resume();
    throw statusError(response.statusCode ?? 0);
  }
  const announced = contentLength(response);
  if (announced !== null && announced > maxBytes) {
    response.destroy();
    return null;
  }
  return { response, announced };
}

/** One request per hop; every hop https, and checked like the first (resolveFileUrl). */
async function follow(
  method: "GET" | "HEAD",
  start: URL,
  options: FetchOptions,
): Promise<{ response: IncomingMessage; url: URL }> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const resolved = await resolveFileUrl(url, options.ownServer, options.resolve).catch(
      (error: unknown) => {
        throw error instanceof RefusedUrlError ? new FetchError(error.message) : error;
      },
    );
    const response = await requestOnce(method, url, resolved, options);
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { response, url };
    response.resume();
    const location = response.headers.location;
    if (!location) throw new FetchError("The file's server sent a redirect to nowhere.");
    try {
      url = new URL(location, url);
    } catch {
      throw new FetchError("The file's server sent a redirect that is not an address.");
    }
  }
  throw new FetchError("The file's server redirected too many times.");
}

function requestOnce(
  method: "GET" | "HEAD",
  url: URL,
  resolved: ResolvedAddress,
  options: FetchOptions,
): Promise<IncomingMessage> {
  // Connect to the address that was checked, not to whatever a second lookup would return.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [resolved]);
    } else callback(null, resolved.address, resolved.family);
  };
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method,
      lookup: pinned,
      headers: { "Accept-Encoding": "identity" },
      timeout: options.idleMs ?? DEFAULT_IDLE_MS,
      ...(options.signal && { signal: options.signal }),
    });
    req.on("timeout", () => req.destroy(new FetchError("The file's server stopped answering.")));
    req.on("response", resolve);
    req.on("error", (error) => reject(toFetchError(error, options.signal)));
    req.end();
  });
}

function toFetchError(error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof FetchError) return error;
  const code = (error as { code?: string }).code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new FetchError("The file's server certificate could not be verified.");
  }
  return new FetchError("Wren could not reach the file's server.");
}

function contentLength(response: IncomingMessage): number | null {
  const value = response.headers["content-length"];
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

function mediaTypeOf(response: IncomingMessage): string | null {
  const value = response.headers["content-type"];
  if (typeof value !== "string") return null;
  const type = value.split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/.test(type) ? type : null;
}

function statusError(status: number): FetchError {
  if (status === 404 || status === 410) return new FetchError("The file is no longer there.");
  if (status === 401 || status === 403) return new FetchError("The file's server refused access.");
  return new FetchError(`The file's server answered HTTP ${status}.`);
}
