import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Attachment, ChatMessage, Transfer } from "../../preload/contract";
import type { UploadFile, UploadOptions } from "../core/features/upload/http-upload";
import { errorName, toUserError, WrenError } from "../shared/errors";
import type { Logger } from "../shared/log";
import { FetchError, type Downloaded, type DownloadOptions } from "./fetch-file";
import { release, type StagedEntry } from "./staging";
import { TransferRate } from "./transfer-rate";
import { Turns } from "./turns";

export interface TransferDeps {
  /** Uploads a file through the account's upload service; resolves with the URL to share. */
  upload(accountId: string, file: UploadFile, options: UploadOptions): Promise<string>;
  /** Sends the uploaded file to `to` as a message. */
  sendFile(accountId: string, to: string, attachment: Attachment): Promise<ChatMessage>;
  /** The file a message carries; throws when it carries none. */
  attachmentOf(accountId: string, peer: string, messageId: string): Promise<Attachment>;
  /** The account's server (a file there may be on a private address). */
  ownServer(accountId: string): string;
  download(url: URL, options: DownloadOptions): Promise<Downloaded>;
  /** Where downloads are saved. */
  downloadsDir: string;
  /** No download is larger than this, whatever its server says. */
  maxDownloadBytes: number;
  /** The OS's downloaded-from-the-internet mark (see markDownloaded). */
  markDownloaded(path: string, from: URL): Promise<unknown>;
  openPath(path: string): Promise<void>;
  showInFolder(path: string): Promise<void>;
  /** Tells the page; called at most every `progressIntervalMs` per transfer while bytes move. */
  emit(changed: Transfer[], removed: string[]): void;
  now(): number;
  log: Logger;
  progressIntervalMs?: number;
}

interface Entry {
  transfer: Transfer;
  controller: AbortController | null;
  rate: TransferRate;
  lastEmit: number;
  /** Upload: the file, until the upload is done or dismissed. */
  file?: StagedEntry;
  /** Download: where the file was saved. */
  savedPath?: string;
}

const TRANSFERS_AT_ONCE = 4;

/** At most about ten updates a second per transfer reach the page. */
const DEFAULT_PROGRESS_INTERVAL_MS = 100;

/**
 * Every upload and download of this run: runs them (several at once), keeps their progress and
 * tells the page, cancels and retries them. An upload is sent as a message only once all its
 * bytes are up; a cancelled or failed one sends nothing.
 */
export class Transfers {
  readonly #deps: TransferDeps;
  readonly #entries = new Map<string, Entry>();
  /** Several files move at once, but not all of a drop of fifty: the rest wait their turn. */
  readonly #uploads = new Turns(TRANSFERS_AT_ONCE);
  readonly #downloads = new Turns(TRANSFERS_AT_ONCE);

  constructor(deps: TransferDeps) {
    this.#deps = deps;
  }

  list(): Transfer[] {
    return [...this.#entries.values()].map((entry) => entry.transfer);
  }

  /** Starts uploading `file` to send it to `peer`; the returned transfer is already running. */
  upload(accountId: string, peer: string, file: StagedEntry): Transfer {
    const entry = this.#add({
      accountId,
      peer,
      direction: "upload",
      name: file.name,
      size: file.size,
      messageId: null,
    });
    entry.file = file;
    void this.#runUpload(entry);
    return entry.transfer;
  }

  /** Starts saving the file of a message in the downloads folder (or gives the one running). */
  async download(accountId: string, peer: string, messageId: string): Promise<Transfer> {
    const attachment = await this.#deps.attachmentOf(accountId, peer, messageId);
    const running = [...this.#entries.values()].find(
      ({ transfer }) =>
        transfer.direction === "download" &&
        transfer.accountId === accountId &&
        transfer.messageId === messageId &&
        transfer.state === "running",
    );
    if (running) return running.transfer;
    const entry = this.#add({
      accountId,
      peer,
      direction: "download",
      name: attachment.name,
      size: attachment.size,
      messageId,
    });
    void this.#runDownload(entry, new URL(attachment.url));
    return entry.transfer;
  }

  cancel(id: string): void {
    this.#entry(id).controller?.abort(new WrenError("cancelled", "Cancelled."));
  }

  /** Uploads a failed or cancelled file again: a new slot, from the first byte. */
  retry(id: string): Transfer {
    const entry = this.#entry(id);
    if (entry.transfer.state === "running") return entry.transfer;
    if (!entry.transfer.canRetry || !entry.file) {
      throw new WrenError("invalid-argument", "This transfer cannot be tried again.");
    }
    void this.#runUpload(entry);
    return entry.transfer;
  }

  async dismiss(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.controller?.abort(new WrenError("cancelled", "Cancelled."));
    this.#entries.delete(id);
    if (entry.file) await release(entry.file).catch(() => undefined);
    this.#deps.emit([], [id]);
  }

  async open(id: string): Promise<void> {
    await this.#deps.openPath(await this.#savedPath(id));
  }

  async showInFolder(id: string): Promise<void> {
    await this.#deps.showInFolder(await this.#savedPath(id));
  }

  /** Stops everything; copies of files made for uploads are deleted. */
  async dispose(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of entries) entry.controller?.abort(new WrenError("cancelled", "Cancelled."));
    await Promise.all(
      entries.map((entry) => (entry.file ? release(entry.file).catch(() => undefined) : null)),
    );
  }

  async #runUpload(entry: Entry): Promise<void> {
    const file = entry.file as StagedEntry;
    const { accountId, peer } = entry.transfer;
    const signal = this.#begin(entry);
    let endTurn: (() => void) | null = null;
    try {
      // Taken at once when free, so the upload starts in the same tick as the command.
      endTurn = this.#uploads.tryTake() ?? (await this.#uploads.take(signal));
      const url = await this.#deps.upload(
        accountId,
        {
          path: file.path,
          name: file.name,
          size: file.size,
          contentType: file.mediaType ?? "application/octet-stream",
        },
        { signal, onProgress: (sent) => this.#progress(entry, sent, file.size) },
      );
      // Past this point the message goes out: cancelling now would be too late to mean anything.
      if (signal.aborted) throw signal.reason;
      entry.controller = null;
      const message = await this.#deps.sendFile(accountId, peer, {
        url,
        name: file.name,
        size: file.size,
        mediaType: file.mediaType,
      });
      entry.file = undefined;
      await release(file).catch(() => undefined);
      this.#end(entry, { state: "done", transferred: file.size, messageId: message.id });
    } catch (error) {
      this.#fail(
        entry,
        error,
        signal,
        !(error instanceof WrenError && error.code === "file-too-large"),
      );
    } finally {
      endTurn?.();
    }
  }

  async #runDownload(entry: Entry, url: URL): Promise<void> {
    const { accountId } = entry.transfer;
    const signal = this.#begin(entry);
    let endTurn: (() => void) | null = null;
    try {
      endTurn = this.#downloads.tryTake() ?? (await this.#downloads.take(signal));
      const saved = await this.#deps.download(url, {
        ownServer: this.#deps.ownServer(accountId),
        dir: this.#deps.downloadsDir,
        name: entry.transfer.name,
        maxBytes: this.#deps.maxDownloadBytes,
        signal,
        onProgress: (received, total) => this.#progress(entry, received, total),
      });
      await this.#deps.markDownloaded(saved.path, url).catch((error: unknown) =>
        this.#deps.log.warn("could not mark a download as from the internet", {
          error: errorName(error),
        }),
      );
      // Only now may it be opened: the OS's mark makes opening it warn as a browser's would.
      entry.savedPath = saved.path;
      this.#end(entry, {
        state: "done",
        size: saved.size,
        transferred: saved.size,
        savedName: basename(saved.path),
      });
    } catch (error) {
      this.#fail(entry, error, signal, false);
    } finally {
      endTurn?.();
    }
  }

  #add(fields: Pick<Transfer, "accountId" | "peer" | "direction" | "name" | "size" | "messageId">) {
    const transfer: Transfer = {
      id: randomBytes(12).toString("hex"),
      ...fields,
      transferred: 0,
      rate: null,
      state: "running",
      error: null,
      savedName: null,
      canRetry: false,
    };
    const entry: Entry = { transfer, controller: null, rate: new TransferRate(), lastEmit: 0 };
    this.#entries.set(transfer.id, entry);
    return entry;
  }

  #begin(entry: Entry): AbortSignal {
    const controller = new AbortController();
    entry.controller = controller;
    entry.rate = new TransferRate();
    entry.transfer = {
      ...entry.transfer,
      state: "running",
      transferred: 0,
      rate: null,
      error: null,
      canRetry: false,
    };
    this.#tell(entry);
    return controller.signal;
  }

  #progress(entry: Entry, transferred: number, total: number | null): void {
    if (entry.transfer.state !== "running") return;
    const now = this.#deps.now();
    entry.rate.add(now, transferred);
    const interval = this.#deps.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    entry.transfer = {
      ...entry.transfer,
      transferred,
      size: total ?? entry.transfer.size,
      rate: entry.rate.perSecond(),
    };
    if (now - entry.lastEmit >= interval) this.#tell(entry);
  }

  #fail(entry: Entry, error: unknown, signal: AbortSignal, canRetry: boolean): void {
    entry.controller = null;
    if (signal.aborted) {
      this.#end(entry, { state: "cancelled", canRetry: entry.file !== undefined });
      return;
    }
    const { code, message } =
      error instanceof FetchError
        ? { code: "upload-failed", message: error.message }
        : toUserError(error);
    if (code === "internal") {
      this.#deps.log.error("a transfer failed", { error: errorName(error) }, error);
    }
    this.#end(entry, {
      state: "failed",
      error: message,
      canRetry: canRetry && entry.file !== undefined,
    });
  }

  #end(entry: Entry, fields: Partial<Transfer>): void {
    entry.controller = null;
    entry.transfer = { ...entry.transfer, ...fields, rate: null };
    this.#tell(entry);
  }

  #tell(entry: Entry): void {
    // A dismissed transfer is not told again.
    if (this.#entries.get(entry.transfer.id) !== entry) return;
    entry.lastEmit = this.#deps.now();
    this.#deps.emit([entry.transfer], []);
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new WrenError("invalid-argument", "Wren no longer knows that transfer.");
    return entry;
  }

  async #savedPath(id: string): Promise<string> {
    const entry = this.#entry(id);
    const path = entry.transfer.state === "done" ? entry.savedPath : undefined;
    if (!path) throw new WrenError("invalid-argument", "That file has not been downloaded.");
    const info = await stat(path).catch(() => null);
    if (!info) throw new WrenError("not-available", "The downloaded file is no longer there.");
    return path;
  }
}
