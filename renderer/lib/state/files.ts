import {
  MAX_FILES_AT_ONCE,
  type Envelope,
  type FileInfo,
  type Transfer,
  type UserError,
  type WrenApi,
} from "../../../preload/contract";
import { decodePreview, type DecodedPreview } from "../files/preview-image";
import { stageFile } from "../files/stage-file";
import { fileKey, type TransfersState } from "./transfers.svelte";

export type Done = { ok: true } | { ok: false; error: UserError };

/** Files handed over to main at the same time; the others wait their turn, "preparing". */
export const HANDED_OVER_AT_ONCE = 3;
/** A file's hand-over progress reaches the list at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/** A file being handed over, or that could not be: kept to try again. */
interface HandOver {
  file: File;
  accountId: string;
  peer: string;
  /** Stops this attempt: set while it runs. */
  controller: AbortController | null;
}

/**
 * Sending and receiving files as the person works with them: files dropped, picked or pasted
 * are handed over to main a few at a time, then uploaded (sendFile), each with its own row and
 * its own error; downloads, their details and image previews are asked of main. The page fetches
 * nothing itself and never reads a file whole.
 */
export class FilesController {
  readonly transfers: TransfersState;
  readonly #api: WrenApi;
  #handOvers = new Map<string, HandOver>();
  #nextLocalId = 1;
  #freeSlots = HANDED_OVER_AT_ONCE;
  #waiting: (() => void)[] = [];

  constructor(api: WrenApi, transfers: TransfersState) {
    this.#api = api;
    this.transfers = transfers;
  }

  applySnapshot(transfers: readonly Transfer[]): void {
    this.#dismissFinished(this.transfers.setAll(transfers));
  }

  applyEvent(changed: readonly Transfer[], removed: readonly string[]): void {
    this.#dismissFinished(this.transfers.apply(changed, removed));
  }

  /**
   * Sends files to `peer` over `accountId`: at most MAX_FILES_AT_ONCE (the conversation notes
   * how many were left out), each handed over to main and then uploaded. Resolves once every
   * one has started uploading or failed; how each goes is in `transfers`.
   */
  async sendFiles(accountId: string, peer: string, files: readonly File[]): Promise<void> {
    const taken = files.slice(0, MAX_FILES_AT_ONCE);
    const left = files.length - taken.length;
    this.transfers.setNotice(
      accountId,
      peer,
      left > 0
        ? `${left} more ${left === 1 ? "file was" : "files were"} not sent: at most ${MAX_FILES_AT_ONCE} files go at once.`
        : null,
    );
    const ids = taken.map((file) => this.#handOverLater(accountId, peer, file));
    await Promise.all(ids.map((id) => this.#send(id)));
  }

  /** Stops an upload or a download, or a file still being handed over. */
  cancelTransfer(id: string): void {
    const handOver = this.#handOvers.get(id);
    if (handOver) handOver.controller?.abort();
    else void this.#api.cancelTransfer({ id });
  }

  /** Tries a failed or cancelled upload again (a file not handed over: from the start). */
  async retryTransfer(id: string): Promise<Done> {
    if (this.#handOvers.has(id)) {
      await this.#send(id);
      return { ok: true };
    }
    const answer = await this.#api.retryTransfer({ id });
    if (!answer.ok) {
      this.transfers.setError(id, answer.error.message);
      return answer;
    }
    if (answer.value.id !== id) this.dismissTransfer(id);
    this.transfers.replace(answer.value);
    return { ok: true };
  }

  /** Takes a finished, failed or cancelled transfer off the list. */
  dismissTransfer(id: string): void {
    const handOver = this.#handOvers.get(id);
    if (handOver || this.transfers.local(id)) {
      handOver?.controller?.abort();
      this.#handOvers.delete(id);
      this.transfers.removeLocal(id);
      return;
    }
    this.transfers.remove(id);
    void this.#api.dismissTransfer({ id });
  }

  /** Clears the conversation's note about files that were not sent. */
  dismissNotice(accountId: string, peer: string): void {
    this.transfers.setNotice(accountId, peer, null);
  }

  /** Saves the message's file in the downloads folder; a finished earlier try leaves the list. */
  async downloadFile(accountId: string, peer: string, messageId: string): Promise<Done> {
    const previous = this.transfers.downloadOf(accountId, messageId);
    const answer = await this.#api.downloadFile({ accountId, peer, messageId });
    if (!answer.ok) return answer;
    this.transfers.add(answer.value);
    if (previous && previous.id !== answer.value.id && previous.state !== "running") {
      this.dismissTransfer(previous.id);
    }
    return { ok: true };
  }

  openDownload(id: string): Promise<Envelope<void>> {
    return this.#api.openDownload({ id });
  }

  showDownload(id: string): Promise<Envelope<void>> {
    return this.#api.showDownload({ id });
  }

  /** The size and type of a message's file, asked of its server once; null if it cannot tell. */
  fileInfo(accountId: string, peer: string, messageId: string): Promise<FileInfo | null> {
    return this.transfers.info.get(fileKey(accountId, messageId), async () => {
      const answer = await this.#api.fileInfo({ accountId, peer, messageId });
      return answer.ok ? answer.value : null;
    });
  }

  /** A message's image, decoded for its preview, asked once; null when there is none to show. */
  filePreview(accountId: string, peer: string, messageId: string): Promise<DecodedPreview | null> {
    return this.transfers.previews.get(fileKey(accountId, messageId), async () => {
      const answer = await this.#api.filePreview({ accountId, peer, messageId });
      return answer.ok && answer.value !== null ? decodePreview(answer.value) : null;
    });
  }

  /** Forgets a removed account's files, stopping what is being handed over. */
  removeAccount(accountId: string): void {
    for (const [id, handOver] of this.#handOvers) {
      if (handOver.accountId !== accountId) continue;
      handOver.controller?.abort();
      this.#handOvers.delete(id);
    }
    this.transfers.removeAccount(accountId);
  }

  #handOverLater(accountId: string, peer: string, file: File): string {
    const id = `local-${this.#nextLocalId++}`;
    this.#handOvers.set(id, { file, accountId, peer, controller: null });
    this.transfers.putLocal({
      id,
      accountId,
      peer,
      name: file.name || "Pasted file",
      size: file.size,
      staged: 0,
      state: "preparing",
      error: null,
      canRetry: false,
    });
    return id;
  }

  /** Hands a file over to main and starts its upload; its row tells how that goes. */
  async #send(id: string): Promise<void> {
    const handOver = this.#handOvers.get(id);
    if (!handOver || handOver.controller) return;
    const { file, accountId, peer } = handOver;
    const controller = new AbortController();
    handOver.controller = controller;
    this.transfers.updateLocal(id, { state: "preparing", staged: 0, error: null, canRetry: false });

    let staged: Awaited<ReturnType<typeof stageFile>> | null = null;
    if (await this.#takeSlot(controller.signal)) {
      try {
        staged = await stageFile(this.#api, file, this.#progress(id, file.size), controller.signal);
      } finally {
        this.#releaseSlot();
      }
    }
    handOver.controller = null;
    // Dismissed, or its account removed, meanwhile.
    if (this.#handOvers.get(id) !== handOver) {
      if (staged?.ok) void this.#api.discardFile({ token: staged.value.token });
      return;
    }
    if (staged === null) return this.#stopped(id, { code: "cancelled", message: "Cancelled." });
    if (!staged.ok) return this.#stopped(id, staged.error);

    const sent = await this.#api.sendFile({ accountId, to: peer, token: staged.value.token });
    if (!sent.ok) {
      void this.#api.discardFile({ token: staged.value.token });
      return this.#stopped(id, sent.error);
    }
    this.#handOvers.delete(id);
    this.transfers.add(sent.value, id);
    if (sent.value.state === "done") {
      this.transfers.remove(sent.value.id);
      this.#dismissFinished([sent.value.id]);
    } else if (controller.signal.aborted && sent.value.state === "running") {
      void this.#api.cancelTransfer({ id: sent.value.id });
    }
  }

  /** The file was not handed over or not accepted: its row says why, and offers to try again. */
  #stopped(id: string, error: UserError): void {
    const cancelled = error.code === "cancelled";
    this.transfers.updateLocal(id, {
      state: cancelled ? "cancelled" : "failed",
      error: cancelled ? null : error.message,
      // Too large stays too large; anything else may go through next time.
      canRetry: error.code !== "file-too-large",
    });
  }

  /** Progress for the list, at most every PROGRESS_INTERVAL_MS (and the last one). */
  #progress(id: string, size: number): (sent: number) => void {
    let last = -Infinity;
    return (sent) => {
      const now = performance.now();
      if (sent < size && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      this.transfers.updateLocal(id, { staged: sent });
    };
  }

  /** Waits for a free hand-over slot; false when aborted first. */
  #takeSlot(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#freeSlots > 0) {
      this.#freeSlots--;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const go = () => {
        signal.removeEventListener("abort", giveUp);
        resolve(true);
      };
      const giveUp = () => {
        this.#waiting = this.#waiting.filter((waiter) => waiter !== go);
        resolve(false);
      };
      this.#waiting.push(go);
      signal.addEventListener("abort", giveUp, { once: true });
    });
  }

  #releaseSlot(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#freeSlots++;
  }

  #dismissFinished(ids: readonly string[]): void {
    for (const id of ids) void this.#api.dismissTransfer({ id });
  }
}
