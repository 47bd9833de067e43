import {
  FILE_CHUNK_BYTES,
  type Envelope,
  type StagedFile,
  type UserError,
  type WrenApi,
} from "../../../preload/contract";
import { bytesToBase64 } from "./base64";

/**
 * Chunks sent before the oldest one is answered: enough to keep the channel busy, while the page
 * holds only a few chunks of the file at any time.
 */
export const CHUNKS_IN_FLIGHT = 4;

const CANCELLED: UserError = { code: "cancelled", message: "Cancelled." };

/**
 * Hands a file the person dropped, picked or pasted to main, which keeps it until it is sent or
 * discarded. By its path when the bridge can (Electron); otherwise its bytes, streamed in order in
 * chunks of FILE_CHUNK_BYTES. `onProgress` hears how many bytes main has so far. On failure or
 * abort main is told to forget the file, and the error comes back: nothing is left half-staged.
 */
export async function stageFile(
  api: WrenApi,
  file: File,
  onProgress?: (sentBytes: number) => void,
  signal?: AbortSignal,
): Promise<Envelope<StagedFile>> {
  if (signal?.aborted) return { ok: false, error: CANCELLED };
  if (api.stageFileFromDisk) {
    let fromDisk: Envelope<StagedFile> | null;
    try {
      fromDisk = await api.stageFileFromDisk(file);
    } catch {
      return { ok: false, error: handOverFailed() };
    }
    if (fromDisk !== null) {
      if (!fromDisk.ok) return fromDisk;
      if (signal?.aborted) {
        void api.discardFile({ token: fromDisk.value.token });
        return { ok: false, error: CANCELLED };
      }
      onProgress?.(fromDisk.value.size);
      return fromDisk;
    }
  }
  return streamFile(api, file, onProgress, signal);
}

async function streamFile(
  api: WrenApi,
  file: File,
  onProgress: ((sentBytes: number) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<Envelope<StagedFile>> {
  let begun: Envelope<{ token: string }>;
  try {
    begun = await api.beginFile({ name: file.name, size: file.size, mediaType: file.type });
  } catch {
    return { ok: false, error: handOverFailed() };
  }
  if (!begun.ok) return begun;
  const { token } = begun.value;
  const problem = await sendChunks(api, token, file, onProgress, signal);
  if (problem !== null) return discarded(api, token, problem);
  let finished: Envelope<StagedFile>;
  try {
    finished = await api.finishFile({ token });
  } catch {
    return discarded(api, token, handOverFailed());
  }
  if (!finished.ok) return discarded(api, token, finished.error);
  if (signal?.aborted) return discarded(api, token, CANCELLED);
  return finished;
}

/** Sends every chunk in order, a few at a time; the first problem stops it. */
async function sendChunks(
  api: WrenApi,
  token: string,
  file: File,
  onProgress: ((sentBytes: number) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<UserError | null> {
  const inFlight: Promise<UserError | null>[] = [];
  let problem: UserError | null = null;
  let acknowledged = 0;

  async function settleOldest(): Promise<void> {
    const answer = await inFlight.shift();
    problem ??= answer ?? null;
  }

  try {
    for (let offset = 0; offset < file.size; offset += FILE_CHUNK_BYTES) {
      while (inFlight.length >= CHUNKS_IN_FLIGHT) await settleOldest();
      if (problem !== null) break;
      if (signal?.aborted) {
        problem = CANCELLED;
        break;
      }
      const bytes = new Uint8Array(
        await file.slice(offset, offset + FILE_CHUNK_BYTES).arrayBuffer(),
      );
      const sent = api.appendFile({ token, offset, data: bytesToBase64(bytes) }).then(
        (answer) => {
          if (!answer.ok) return answer.error;
          acknowledged += bytes.length;
          onProgress?.(acknowledged);
          return null;
        },
        () => handOverFailed(),
      );
      inFlight.push(sent);
    }
  } catch {
    problem ??= { code: "internal", message: "Could not read the file." };
  }
  // Every chunk is answered before main is told to finish or forget the file.
  while (inFlight.length > 0) await settleOldest();
  if (problem === null && signal?.aborted) problem = CANCELLED;
  return problem;
}

function discarded(api: WrenApi, token: string, error: UserError): Envelope<StagedFile> {
  void api.discardFile({ token });
  return { ok: false, error };
}

function handOverFailed(): UserError {
  return { code: "internal", message: "Could not hand the file over to Wren." };
}
