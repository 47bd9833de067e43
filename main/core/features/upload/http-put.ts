import { createReadStream } from "node:fs";
import { request } from "node:https";
import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";

export interface PutFile {
  /** The file on disk; exactly `size` bytes of it are sent, from the start. */
  path: string;
  size: number;
  contentType: string;
}

export interface PutOptions {
  url: URL;
  /** The slot's headers (already limited to what XEP-0363 allows). */
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Bytes handed to the connection so far; called as they go, the caller throttles. */
  onProgress?: (sent: number) => void;
  /** Give up when nothing moved for this long. */
  idleMs?: number;
}

/** Why an upload's PUT failed, in words for the person; `status` when the server answered. */
export class PutError extends Error {
  override name = "PutError";
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const DEFAULT_IDLE_MS = 60_000;
/** Of a response body nobody reads, at most this much is drained before the socket is dropped. */
const MAX_DRAIN_BYTES = 64 * 1024;

/**
 * PUTs the file to `url` (https only; certificates verified as for every connection), streamed
 * from disk, never whole in memory. Resolves on 201 Created, the one success XEP-0363 names.
 * Rejects with a PutError a person can read, or with the signal's reason when cancelled.
 */
export async function putFile(file: PutFile, options: PutOptions): Promise<void> {
  if (options.url.protocol !== "https:") throw new PutError("Wren uploads over https only.");
  options.signal?.throwIfAborted();
  const req = request(options.url, {
    method: "PUT",
    headers: {
      ...options.headers,
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
    },
    signal: options.signal,
    timeout: options.idleMs ?? DEFAULT_IDLE_MS,
  });
  req.on("timeout", () => req.destroy(new PutError("The upload server stopped answering.")));
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
  });
  // A failure while sending surfaces through the pipeline below; this one would then go unheard.
  response.catch(() => undefined);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      options.onProgress?.(sent);
      done(null, chunk);
    },
  });
  const source =
    file.size === 0 ? [] : createReadStream(file.path, { start: 0, end: file.size - 1 });
  try {
    await pipeline(source, counter, req);
    if (sent !== file.size) {
      throw new PutError("The file changed while it was being uploaded; try again.");
    }
    const answer = await response;
    await drain(answer);
    if (answer.statusCode !== 201) throw statusError(answer.statusCode ?? 0);
  } catch (error) {
    req.destroy();
    if (options.signal?.aborted) throw options.signal.reason;
    throw toPutError(error);
  }
}

function statusError(status: number): PutError {
  if (status === 413) return new PutError("The file is larger than the upload server takes.", 413);
  if (status === 401 || status === 403) {
    return new PutError("The upload server refused the file (its slot was not accepted).", status);
  }
  if (status >= 500) return new PutError(`The upload server failed (HTTP ${status}).`, status);
  return new PutError(`The upload server answered HTTP ${status} instead of 201 Created.`, status);
}

function toPutError(error: unknown): Error {
  if (error instanceof PutError) return error;
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return new PutError("The file is no longer there.");
  if (code === "EACCES" || code === "EPERM") return new PutError("Wren may not read this file.");
  if (code === "EISDIR") return new PutError("Folders cannot be sent; pick files.");
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new PutError("The upload server's certificate could not be verified.");
  }
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new PutError("Wren could not reach the upload server.");
  }
  if (code === "ECONNRESET" || code === "EPIPE") {
    return new PutError("The upload server closed the connection.");
  }
  return new PutError("The upload failed.");
}

/** Reads and drops up to MAX_DRAIN_BYTES of a response, so the connection can be reused. */
async function drain(response: IncomingMessage): Promise<void> {
  let seen = 0;
  for await (const chunk of response) {
    seen += (chunk as Buffer).length;
    if (seen > MAX_DRAIN_BYTES) {
      response.destroy();
      return;
    }
  }
}
