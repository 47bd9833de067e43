import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment, ChatMessage, Transfer } from "../../../preload/contract";
import type { UploadFile, UploadOptions } from "../../../main/core/features/upload/http-upload";
import { FetchError, type Downloaded, type DownloadOptions } from "../../../main/files/fetch-file";
import type { StagedEntry } from "../../../main/files/staging";
import { Transfers, type TransferDeps } from "../../../main/files/transfers";
import { WrenError } from "../../../main/shared/errors";
import { captureLog } from "../core/logger-double";

let dir: string;
let downloadsDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-transfers-"));
  downloadsDir = join(dir, "Downloads");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** One call of the fake upload: the test decides when and how it ends. */
interface UploadCall extends Deferred<string> {
  accountId: string;
  file: UploadFile;
  options: UploadOptions;
}

interface DownloadCall extends Deferred<Downloaded> {
  url: URL;
  options: DownloadOptions;
}

const ATTACHMENT: Attachment = {
  url: "https://files.example.org/get/abc/holiday.jpg",
  name: "holiday.jpg",
  size: 1000,
  mediaType: "image/jpeg",
};

function setup(overrides: Partial<TransferDeps> = {}) {
  let clock = 1_000_000;
  const events: { changed: Transfer[]; removed: string[] }[] = [];
  const waiters: (() => void)[] = [];
  const uploads: UploadCall[] = [];
  const downloads: DownloadCall[] = [];
  const { log, lines } = captureLog();
  /** Like the real upload: a cancelled one rejects with the signal's reason. */
  const upload = vi.fn(
    (accountId: string, file: UploadFile, options: UploadOptions): Promise<string> => {
      const call = { ...deferred<string>(), accountId, file, options };
      options.signal?.addEventListener("abort", () => call.reject(options.signal?.reason));
      uploads.push(call);
      return call.promise;
    },
  );
  const download = vi.fn((url: URL, options: DownloadOptions): Promise<Downloaded> => {
    const call = { ...deferred<Downloaded>(), url, options };
    options.signal?.addEventListener("abort", () => call.reject(options.signal?.reason));
    downloads.push(call);
    return call.promise;
  });
  const sendFile = vi.fn(
    async (_accountId: string, to: string, attachment: Attachment): Promise<ChatMessage> => ({
      id: "sent-1",
      peer: to,
      direction: "out",
      body: attachment.url,
      timestamp: 1,
      delayed: false,
      state: "queued",
      attachment,
    }),
  );
  const deps: TransferDeps = {
    upload,
    sendFile,
    attachmentOf: vi.fn(async () => ATTACHMENT),
    ownServer: vi.fn(() => "example.org"),
    download,
    downloadsDir,
    maxDownloadBytes: 5000,
    markDownloaded: vi.fn(async () => true),
    openPath: vi.fn(async () => {}),
    showInFolder: vi.fn(async () => {}),
    emit(changed, removed) {
      events.push({ changed, removed });
      for (const wake of waiters.splice(0)) wake();
    },
    now: () => clock,
    log,
    progressIntervalMs: 100,
    ...overrides,
  };
  const transfers = new Transfers(deps);

  /** Every state the page was told of a transfer, in order. */
  const told = (id: string) =>
    events.flatMap(({ changed }) => changed.filter((transfer) => transfer.id === id));
  const latest = (id: string) => told(id).at(-1);
  /** Resolves once the page was told the transfer reached `state`. */
  const reached = async (id: string, state: Transfer["state"]): Promise<Transfer> => {
    for (;;) {
      const found = told(id).find((transfer) => transfer.state === state);
      if (found) return found;
      await new Promise<void>((wake) => waiters.push(wake));
    }
  };
  const nextUpload = async (count: number): Promise<UploadCall> => {
    await vi.waitFor(() => expect(uploads).toHaveLength(count));
    return uploads[count - 1]!;
  };
  return {
    transfers,
    deps,
    events,
    told,
    latest,
    reached,
    uploads,
    nextUpload,
    downloads,
    upload,
    download,
    sendFile,
    lines,
    advance: (ms: number) => (clock += ms),
  };
}

async function stagedCopy(name = "photo.jpg", bytes = "0123456789"): Promise<StagedEntry> {
  const path = join(dir, `.wren-stage-${name}`);
  await writeFile(path, bytes);
  return { token: "t", path, name, size: bytes.length, mediaType: "image/jpeg", temporary: true };
}

describe("an upload", () => {
  it("uploads the file, then sends it as a message, and deletes the copy", async () => {
    const t = setup();
    const file = await stagedCopy();
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    expect(transfer).toMatchObject({
      accountId: "acct",
      peer: "bob@example.org",
      direction: "upload",
      name: "photo.jpg",
      size: 10,
      transferred: 0,
      state: "running",
      error: null,
      messageId: null,
      savedName: null,
      canRetry: false,
    });
    expect(t.transfers.list()).toEqual([transfer]);
    expect(t.told(transfer.id)).toEqual([transfer]);

    const call = t.uploads[0]!;
    expect(call.accountId).toBe("acct");
    expect(call.file).toEqual({
      path: file.path,
      name: "photo.jpg",
      size: 10,
      contentType: "image/jpeg",
    });
    expect(t.sendFile).not.toHaveBeenCalled();
    call.resolve("https://files.example.org/get/xyz/photo.jpg");

    const done = await t.reached(transfer.id, "done");
    expect(t.sendFile).toHaveBeenCalledExactlyOnceWith("acct", "bob@example.org", {
      url: "https://files.example.org/get/xyz/photo.jpg",
      name: "photo.jpg",
      size: 10,
      mediaType: "image/jpeg",
    });
    expect(done).toMatchObject({ transferred: 10, messageId: "sent-1", rate: null, error: null });
    expect(existsSync(file.path)).toBe(false);
    expect(t.transfers.list()).toEqual([done]);
  });

  it("of a file of no known type is sent as bytes", async () => {
    const t = setup();
    const file = { ...(await stagedCopy()), mediaType: null };
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    expect(t.uploads[0]!.file.contentType).toBe("application/octet-stream");
    t.uploads[0]!.resolve("https://files.example.org/x");
    await t.reached(transfer.id, "done");
    expect(t.sendFile.mock.calls[0]![2].mediaType).toBeNull();
  });

  it("leaves the person's own file where it is", async () => {
    const t = setup();
    const file = { ...(await stagedCopy()), temporary: false };
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    t.uploads[0]!.resolve("https://files.example.org/x");
    await t.reached(transfer.id, "done");
    expect(existsSync(file.path)).toBe(true);
  });

  it("tells its progress at most every progressIntervalMs, with its rate; state changes always", async () => {
    const t = setup();
    const file = { ...(await stagedCopy()), size: 10_000 };
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    const { onProgress } = t.uploads[0]!.options;
    for (let sent = 1000; sent <= 10_000; sent += 1000) {
      t.advance(40);
      onProgress?.(sent);
    }
    // 400 ms of progress in 40 ms steps: told at 120, 240 and 360 ms (every third step).
    const progress = t.told(transfer.id).slice(1);
    expect(progress.map((told) => told.transferred)).toEqual([3000, 6000, 9000]);
    expect(progress.every((told) => told.state === "running")).toBe(true);
    expect(progress[0]!.rate).toBeNull();
    // Once its samples span half a second, the rate is known.
    for (let sent = 11_000; sent <= 25_000; sent += 1000) {
      t.advance(40);
      onProgress?.(Math.min(sent, 10_000));
    }
    expect(t.latest(transfer.id)!.rate).toEqual(expect.any(Number));

    t.advance(1);
    t.uploads[0]!.resolve("https://files.example.org/x");
    // Done is told at once, though the last progress was told a moment ago.
    const done = await t.reached(transfer.id, "done");
    expect(done.rate).toBeNull();
    expect(done.transferred).toBe(10_000);
  });

  it("computes its rate from the bytes moved over time", async () => {
    const t = setup();
    const file = { ...(await stagedCopy()), size: 100_000 };
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    const { onProgress } = t.uploads[0]!.options;
    // 2000 bytes every 100 ms: 20,000 bytes a second.
    for (let step = 1; step <= 20; step++) {
      t.advance(100);
      onProgress?.(step * 2000);
    }
    expect(t.latest(transfer.id)).toMatchObject({ transferred: 40_000, rate: 20_000 });
  });

  it("cancelled while uploading sends nothing, and keeps the file to try again", async () => {
    const t = setup();
    const file = await stagedCopy();
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    t.transfers.cancel(transfer.id);
    expect(t.uploads[0]!.options.signal?.aborted).toBe(true);
    const cancelled = await t.reached(transfer.id, "cancelled");
    expect(cancelled).toMatchObject({ canRetry: true, error: null, rate: null });
    expect(t.sendFile).not.toHaveBeenCalled();
    expect(existsSync(file.path)).toBe(true);

    const again = t.transfers.retry(transfer.id);
    expect(again).toMatchObject({ id: transfer.id, state: "running", transferred: 0 });
    const second = await t.nextUpload(2);
    expect(second.file.path).toBe(file.path);
    expect(second.options.signal?.aborted).toBe(false);
    second.resolve("https://files.example.org/x");
    await t.reached(transfer.id, "done");
    expect(t.sendFile).toHaveBeenCalledOnce();
  });

  it("cancelled as its last byte went up sends nothing either", async () => {
    // An upload that does not notice the signal, finishing just after the person cancelled.
    const finished = deferred<string>();
    const t = setup({ upload: vi.fn(() => finished.promise) });
    const transfer = t.transfers.upload("acct", "bob@example.org", await stagedCopy());
    t.transfers.cancel(transfer.id);
    finished.resolve("https://files.example.org/x");
    expect(await t.reached(transfer.id, "cancelled")).toMatchObject({ canRetry: true });
    expect(t.sendFile).not.toHaveBeenCalled();
  });

  it("cancelled once the message is going out is done anyway", async () => {
    const sending = deferred<ChatMessage>();
    const t = setup({ sendFile: vi.fn(() => sending.promise) });
    const transfer = t.transfers.upload("acct", "bob@example.org", await stagedCopy());
    t.uploads[0]!.resolve("https://files.example.org/x");
    await vi.waitFor(() => expect(t.deps.sendFile).toHaveBeenCalled());
    t.transfers.cancel(transfer.id);
    sending.resolve({
      id: "m9",
      peer: "bob@example.org",
      direction: "out",
      body: "https://files.example.org/x",
      timestamp: 1,
      delayed: false,
      state: "queued",
    });
    expect(await t.reached(transfer.id, "done")).toMatchObject({ messageId: "m9" });
    expect(t.told(transfer.id).some((told) => told.state === "cancelled")).toBe(false);
  });

  it("that failed says why in words, and can be tried again with the same file", async () => {
    const t = setup();
    const file = await stagedCopy();
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    t.uploads[0]!.reject(new WrenError("upload-failed", "The upload service refused the file."));
    expect(await t.reached(transfer.id, "failed")).toMatchObject({
      error: "The upload service refused the file.",
      canRetry: true,
      rate: null,
    });
    expect(existsSync(file.path)).toBe(true);
    expect(t.sendFile).not.toHaveBeenCalled();

    t.transfers.retry(transfer.id);
    (await t.nextUpload(2)).resolve("https://files.example.org/x");
    const done = await t.reached(transfer.id, "done");
    expect(done.error).toBeNull();
    expect(existsSync(file.path)).toBe(false);
  });

  it("too large for the service cannot be tried again", async () => {
    const t = setup();
    const transfer = t.transfers.upload("acct", "bob@example.org", await stagedCopy());
    t.uploads[0]!.reject(new WrenError("file-too-large", "The file is larger than 10 MB."));
    expect(await t.reached(transfer.id, "failed")).toMatchObject({
      error: "The file is larger than 10 MB.",
      canRetry: false,
    });
    expect(() => t.transfers.retry(transfer.id)).toThrow("This transfer cannot be tried again.");
    expect(t.upload).toHaveBeenCalledOnce();
  });

  it("that broke inside Wren says so without details, and logs it", async () => {
    const t = setup();
    const transfer = t.transfers.upload("acct", "bob@example.org", await stagedCopy());
    t.uploads[0]!.reject(new TypeError("secret details"));
    const failed = await t.reached(transfer.id, "failed");
    expect(failed.error).toBe("Something went wrong inside Wren. The details are in the log.");
    expect(failed.canRetry).toBe(true);
    expect(t.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("whose message could not be sent can be tried again, uploading anew", async () => {
    const sendFile = vi
      .fn<TransferDeps["sendFile"]>()
      .mockRejectedValueOnce(new WrenError("not-signed-in", "alice@example.org is not connected."))
      .mockResolvedValueOnce({
        id: "m2",
        peer: "bob@example.org",
        direction: "out",
        body: "u",
        timestamp: 1,
        delayed: false,
        state: "queued",
      });
    const t = setup({ sendFile });
    const file = await stagedCopy();
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    t.uploads[0]!.resolve("https://files.example.org/first");
    expect(await t.reached(transfer.id, "failed")).toMatchObject({
      error: "alice@example.org is not connected.",
      canRetry: true,
    });
    expect(existsSync(file.path)).toBe(true);
    t.transfers.retry(transfer.id);
    (await t.nextUpload(2)).resolve("https://files.example.org/second");
    expect(await t.reached(transfer.id, "done")).toMatchObject({ messageId: "m2" });
    expect(sendFile.mock.calls[1]![2].url).toBe("https://files.example.org/second");
  });

  it("that is running is not started twice by a retry", async () => {
    const t = setup();
    const transfer = t.transfers.upload("acct", "bob@example.org", await stagedCopy());
    expect(t.transfers.retry(transfer.id)).toEqual(transfer);
    expect(t.upload).toHaveBeenCalledOnce();
  });

  it("dismissed while running is stopped, its copy deleted, and the page told it is gone", async () => {
    const t = setup();
    const file = await stagedCopy();
    const transfer = t.transfers.upload("acct", "bob@example.org", file);
    const call = t.uploads[0]!;
    await t.transfers.dismiss(transfer.id);
    expect(call.options.signal?.aborted).toBe(true);
    expect(existsSync(file.path)).toBe(false);
    expect(t.events.at(-1)).toEqual({ changed: [], removed: [transfer.id] });
    expect(t.transfers.list()).toEqual([]);
    // Its end (a cancellation) is not told: the page forgot it.
    await call.promise.catch(() => undefined);
    const count = t.events.length;
    await t.transfers.dismiss(transfer.id);
    expect(t.events).toHaveLength(count);
    expect(t.told(transfer.id).map((told) => told.state)).toEqual(["running"]);
    expect(t.sendFile).not.toHaveBeenCalled();
    expect(() => t.transfers.retry(transfer.id)).toThrow("Wren no longer knows that transfer.");
    expect(() => t.transfers.cancel(transfer.id)).toThrow("Wren no longer knows that transfer.");
  });

  it("runs beside others, each with its own file and progress", async () => {
    const t = setup();
    const a = t.transfers.upload("acct", "bob@example.org", await stagedCopy("a.jpg"));
    const b = t.transfers.upload("acct", "carol@example.org", await stagedCopy("b.jpg"));
    expect(a.id).not.toBe(b.id);
    t.uploads[1]!.resolve("https://files.example.org/b");
    await t.reached(b.id, "done");
    expect(t.transfers.list().map((transfer) => transfer.state)).toEqual(["running", "done"]);
    t.uploads[0]!.reject(new WrenError("upload-failed", "No."));
    await t.reached(a.id, "failed");
    expect(t.sendFile.mock.calls.map((call) => call[1])).toEqual(["carol@example.org"]);
  });

  it("moves four at a time; the fifth starts when one ends, or is cancelled while it waits", async () => {
    const t = setup();
    const started = [];
    for (let i = 0; i < 6; i++) {
      started.push(t.transfers.upload("acct", "bob@example.org", await stagedCopy(`${i}.jpg`)));
    }
    expect(t.uploads.map((call) => call.file.name)).toEqual(["0.jpg", "1.jpg", "2.jpg", "3.jpg"]);
    // Waiting ones are told as running, with nothing moved yet: they can be cancelled.
    t.transfers.cancel(started[4]!.id);
    await t.reached(started[4]!.id, "cancelled");
    t.uploads[0]!.resolve("https://files.example.org/0");
    await t.reached(started[0]!.id, "done");
    await vi.waitFor(() => expect(t.uploads).toHaveLength(5));
    expect(t.uploads[4]!.file.name).toBe("5.jpg");
  });

  it("all stop at dispose, their copies deleted", async () => {
    const t = setup();
    const running = await stagedCopy("a.jpg");
    const failed = await stagedCopy("b.jpg");
    t.transfers.upload("acct", "bob@example.org", running);
    const second = t.transfers.upload("acct", "bob@example.org", failed);
    t.uploads[1]!.reject(new WrenError("upload-failed", "No."));
    await t.reached(second.id, "failed");
    await t.transfers.dispose();
    expect(t.uploads[0]!.options.signal?.aborted).toBe(true);
    expect(existsSync(running.path)).toBe(false);
    expect(existsSync(failed.path)).toBe(false);
    expect(t.transfers.list()).toEqual([]);
  });
});

describe("a download", () => {
  async function saved(name: string, bytes = "downloaded"): Promise<Downloaded> {
    await mkdir(downloadsDir, { recursive: true });
    const path = join(downloadsDir, name);
    await writeFile(path, bytes);
    return { path, size: bytes.length, mediaType: "image/jpeg" };
  }

  it("saves the file of a message, marks it as from the internet, and can then be opened", async () => {
    const t = setup();
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    expect(t.deps.attachmentOf).toHaveBeenCalledWith("acct", "bob@example.org", "msg-1");
    expect(transfer).toMatchObject({
      direction: "download",
      name: "holiday.jpg",
      size: 1000,
      messageId: "msg-1",
      state: "running",
      canRetry: false,
    });
    const call = t.downloads[0]!;
    expect(call.url.href).toBe(ATTACHMENT.url);
    expect(call.options).toMatchObject({
      ownServer: "example.org",
      dir: downloadsDir,
      name: "holiday.jpg",
      maxBytes: 5000,
    });
    expect(t.deps.ownServer).toHaveBeenCalledWith("acct");

    t.advance(100);
    call.options.onProgress?.(400, 1200);
    expect(t.latest(transfer.id)).toMatchObject({ transferred: 400, size: 1200 });

    const file = await saved("holiday (1).jpg", "x".repeat(1200));
    call.resolve(file);
    const done = await t.reached(transfer.id, "done");
    expect(done).toMatchObject({
      size: 1200,
      transferred: 1200,
      savedName: "holiday (1).jpg",
      error: null,
      canRetry: false,
    });
    expect(t.deps.markDownloaded).toHaveBeenCalledExactlyOnceWith(file.path, call.url);

    await t.transfers.open(transfer.id);
    expect(t.deps.openPath).toHaveBeenCalledExactlyOnceWith(file.path);
    await t.transfers.showInFolder(transfer.id);
    expect(t.deps.showInFolder).toHaveBeenCalledExactlyOnceWith(file.path);
  });

  it("keeps the size it was told when the server announces none", async () => {
    const t = setup();
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    t.advance(100);
    t.downloads[0]!.options.onProgress?.(300, null);
    expect(t.latest(transfer.id)).toMatchObject({ transferred: 300, size: 1000 });
  });

  it("of a message already downloading is the running one", async () => {
    const t = setup();
    const first = await t.transfers.download("acct", "bob@example.org", "msg-1");
    const again = await t.transfers.download("acct", "bob@example.org", "msg-1");
    expect(again.id).toBe(first.id);
    const other = await t.transfers.download("other", "bob@example.org", "msg-1");
    expect(other.id).not.toBe(first.id);
    expect(t.download).toHaveBeenCalledTimes(2);

    t.downloads[0]!.resolve(await saved("holiday.jpg"));
    await t.reached(first.id, "done");
    // Done: downloading it again saves it again.
    const later = await t.transfers.download("acct", "bob@example.org", "msg-1");
    expect(later.id).not.toBe(first.id);
    expect(t.download).toHaveBeenCalledTimes(3);
  });

  it("of a message that carries no file is refused, and starts nothing", async () => {
    const t = setup({
      attachmentOf: vi.fn(async () => {
        throw new WrenError("invalid-argument", "That message carries no file.");
      }),
    });
    await expect(t.transfers.download("acct", "bob@example.org", "m")).rejects.toThrow(
      "That message carries no file.",
    );
    expect(t.download).not.toHaveBeenCalled();
    expect(t.transfers.list()).toEqual([]);
    expect(t.events).toEqual([]);
  });

  it("that failed shows the fetch's own words, and cannot be retried or opened", async () => {
    const t = setup();
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    t.downloads[0]!.reject(new FetchError("The file's server refused access."));
    expect(await t.reached(transfer.id, "failed")).toMatchObject({
      error: "The file's server refused access.",
      canRetry: false,
      savedName: null,
    });
    expect(() => t.transfers.retry(transfer.id)).toThrow("This transfer cannot be tried again.");
    await expect(t.transfers.open(transfer.id)).rejects.toThrow(
      "That file has not been downloaded.",
    );
    expect(t.deps.markDownloaded).not.toHaveBeenCalled();
    expect(t.deps.openPath).not.toHaveBeenCalled();
  });

  it("cancelled stops the fetch, and cannot be retried", async () => {
    const t = setup();
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    t.transfers.cancel(transfer.id);
    expect(t.downloads[0]!.options.signal?.aborted).toBe(true);
    expect(await t.reached(transfer.id, "cancelled")).toMatchObject({ canRetry: false });
  });

  it("is done though the OS mark could not be set, which is logged", async () => {
    const t = setup({
      markDownloaded: vi.fn(async () => {
        throw new Error("xattr failed");
      }),
    });
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    t.downloads[0]!.resolve(await saved("holiday.jpg"));
    await t.reached(transfer.id, "done");
    expect(t.lines.filter((line) => line.level === "warn")).toHaveLength(1);
  });

  it("is opened only while its file is still there", async () => {
    const t = setup();
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    const file = await saved("holiday.jpg");
    t.downloads[0]!.resolve(file);
    await t.reached(transfer.id, "done");
    await rm(file.path);
    for (const action of [
      () => t.transfers.open(transfer.id),
      () => t.transfers.showInFolder(transfer.id),
    ]) {
      const error = await action().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WrenError);
      expect(error).toMatchObject({
        code: "not-available",
        message: "The downloaded file is no longer there.",
      });
    }
    expect(t.deps.openPath).not.toHaveBeenCalled();
    expect(t.deps.showInFolder).not.toHaveBeenCalled();
  });

  it("is not opened before it is done, while the OS mark is being set", async () => {
    const marking = deferred<unknown>();
    const t = setup({ markDownloaded: vi.fn(() => marking.promise) });
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    t.downloads[0]!.resolve(await saved("setup.exe"));
    await vi.waitFor(() => expect(t.deps.markDownloaded).toHaveBeenCalled());
    // Opening it now would run it without the warning the mark gives.
    await expect(t.transfers.open(transfer.id)).rejects.toThrow(
      "That file has not been downloaded.",
    );
    expect(t.deps.openPath).not.toHaveBeenCalled();
    marking.resolve(true);
    await t.reached(transfer.id, "done");
    await t.transfers.open(transfer.id);
    expect(t.deps.openPath).toHaveBeenCalledOnce();
  });

  it("that is unknown, or an upload, is not opened", async () => {
    const t = setup();
    await expect(t.transfers.open("nope")).rejects.toThrow("Wren no longer knows that transfer.");
    const upload = t.transfers.upload("acct", "bob@example.org", await stagedCopy());
    t.uploads[0]!.resolve("https://files.example.org/x");
    await t.reached(upload.id, "done");
    await expect(t.transfers.showInFolder(upload.id)).rejects.toThrow(
      "That file has not been downloaded.",
    );
  });

  it("dismissed once done leaves the saved file, and is gone from the list", async () => {
    const t = setup();
    const transfer = await t.transfers.download("acct", "bob@example.org", "msg-1");
    const file = await saved("holiday.jpg");
    t.downloads[0]!.resolve(file);
    await t.reached(transfer.id, "done");
    await t.transfers.dismiss(transfer.id);
    expect(existsSync(file.path)).toBe(true);
    expect(t.transfers.list()).toEqual([]);
    await expect(t.transfers.open(transfer.id)).rejects.toThrow(
      "Wren no longer knows that transfer.",
    );
  });
});
