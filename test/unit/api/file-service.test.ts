import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment, ChatMessage, Transfer, WrenEvent } from "../../../preload/contract";
import type { AccountManager } from "../../../main/accounts/account-manager";
import {
  createFileService,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  type FileOptions,
  type FileService,
} from "../../../main/api/file-handlers";
import type { ServiceContext } from "../../../main/api/service-context";
import type { UploadFile, UploadOptions } from "../../../main/core/features/upload/http-upload";
import type { Downloaded, DownloadOptions } from "../../../main/files/fetch-file";
import { WrenError } from "../../../main/shared/errors";
import { captureLog } from "../core/logger-double";

let root: string;
let stagingDir: string;
let dataDir: string;
let downloadsDir: string;
let homeDir: string;
const services: FileService[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "wren-file-service-"));
  stagingDir = join(root, "data", "staging");
  dataDir = join(root, "data");
  downloadsDir = join(root, "Downloads");
  homeDir = join(root, "home");
  await mkdir(dataDir);
  await mkdir(homeDir);
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.dispose()));
  await rm(root, { recursive: true, force: true });
});

const PHOTO: Attachment = {
  url: "https://upload.example.org/get/abc/photo.jpg",
  name: "photo.jpg",
  size: 4,
  mediaType: "image/jpeg",
};

const message = (id: string, attachment?: Attachment): ChatMessage => ({
  id,
  peer: "bob@example.org",
  direction: "in",
  body: attachment?.url ?? "hello",
  timestamp: 1,
  delayed: false,
  state: "received",
  ...(attachment && { attachment }),
});

function setup(options: Partial<FileOptions> = {}) {
  const online = new Set(["a1"]);
  const events: WrenEvent[] = [];
  const { log, lines } = captureLog();
  /** What each upload read of its file, when it ran. */
  const uploaded: { file: UploadFile; bytes: string }[] = [];
  const upload = vi.fn(async (file: UploadFile, uploadOptions: UploadOptions) => {
    uploaded.push({ file, bytes: await readFile(file.path, "utf8") });
    uploadOptions.onProgress?.(file.size);
    return `https://upload.example.org/get/${uploaded.length}/${file.name}`;
  });
  const chat = {
    history: vi.fn(async (_peer: string, query: { around?: string }, _limit: number) => [
      message("before"),
      message(query.around ?? "", query.around === "with-file" ? PHOTO : undefined),
      message("after", PHOTO),
    ]),
    sendFile: vi.fn(async (to: string, attachment: Attachment) => ({
      ...message("sent-1", attachment),
      peer: to,
      direction: "out" as const,
    })),
  };
  const state = { jid: "alice@example.org", chat, upload: { upload } };
  const accounts = {
    accounts: () => [{ id: "a1", jid: "alice@example.org" }],
    state: (id: string) => (id === "a1" ? state : null),
    session: (id: string) =>
      id === "a1" ? { state: () => ({ state: online.has(id) ? "online" : "offline" }) } : null,
  } as unknown as AccountManager;
  const context = {
    accounts,
    push: (event: WrenEvent) => events.push(event),
    log,
  } as unknown as ServiceContext;
  const download = vi.fn(
    async (_url: URL, downloadOptions: DownloadOptions): Promise<Downloaded> => {
      await mkdir(downloadOptions.dir, { recursive: true });
      const path = join(downloadOptions.dir, downloadOptions.name);
      await writeFile(path, "jpeg");
      return { path, size: 4, mediaType: "image/jpeg" };
    },
  );
  const fileOptions: FileOptions = {
    stagingDir,
    protectedDirs: [dataDir],
    downloadsDir,
    openPath: vi.fn(async () => {}),
    showInFolder: vi.fn(async () => {}),
    download,
    markDownloaded: vi.fn(async () => true),
    progressIntervalMs: 0,
    ...options,
  };
  const service = createFileService(context, fileOptions);
  services.push(service);

  const transfersTold = () =>
    events.flatMap((event) => (event.type === "transfers" ? event.changed : []));
  const finished = async (id: string): Promise<Transfer> => {
    let last: Transfer | undefined;
    await vi.waitFor(() => {
      last = transfersTold().findLast((transfer) => transfer.id === id);
      expect(last?.state).not.toBe("running");
    });
    return last!;
  };
  return {
    service,
    handlers: service.handlers,
    events,
    lines,
    online,
    chat,
    upload,
    uploaded,
    download,
    options: fileOptions,
    finished,
  };
}

/** What a handler threw or rejected with (handlers may throw before their first await). */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

/** Streams `text` to main as the page does, in chunks, and returns its token. */
async function streamed(handlers: FileService["handlers"], name: string, text: string) {
  const { token } = await handlers.beginFile({ name, size: text.length, mediaType: "text/plain" });
  for (let offset = 0; offset < text.length; offset += 3) {
    await handlers.appendFile({
      token,
      offset,
      data: Buffer.from(text.slice(offset, offset + 3)).toString("base64"),
    });
  }
  return handlers.finishFile({ token });
}

describe("sending a file", () => {
  it("streamed by the page: uploads its copy, sends it to the bare peer, and tells the page", async () => {
    const t = setup();
    const staged = await streamed(t.handlers, "notes.txt", "hello world");
    expect(staged).toMatchObject({ name: "notes.txt", size: 11, mediaType: "text/plain" });
    const copies = await readdir(stagingDir);
    expect(copies).toHaveLength(1);

    const transfer = await t.handlers.sendFile({
      accountId: "a1",
      to: "bob@example.org/phone",
      token: staged.token,
    });
    expect(transfer).toMatchObject({ accountId: "a1", peer: "bob@example.org", state: "running" });
    const done = await t.finished(transfer.id);
    expect(done).toMatchObject({ state: "done", transferred: 11, messageId: "sent-1" });

    expect(t.uploaded).toEqual([
      {
        file: {
          path: join(stagingDir, copies[0]!),
          name: "notes.txt",
          size: 11,
          contentType: "text/plain",
        },
        bytes: "hello world",
      },
    ]);
    expect(t.chat.sendFile).toHaveBeenCalledExactlyOnceWith("bob@example.org", {
      url: "https://upload.example.org/get/1/notes.txt",
      name: "notes.txt",
      size: 11,
      mediaType: "text/plain",
    });
    // The page learns of the message it sent from an event, as it does of a received one.
    const told = t.events.filter((event) => event.type === "messages");
    expect(told).toEqual([
      {
        type: "messages",
        accountId: "a1",
        messages: [expect.objectContaining({ id: "sent-1", peer: "bob@example.org" })],
      },
    ]);
    expect(await readdir(stagingDir)).toEqual([]);
    expect(t.service.transfers()).toEqual([done]);
    // The token was used up.
    expect(
      await thrown(() =>
        t.handlers.sendFile({ accountId: "a1", to: "bob@example.org", token: staged.token }),
      ),
    ).toMatchObject({ message: "Wren no longer has that file; add it again." });
  });

  it("dropped from disk: uploads the person's file where it is, and leaves it there", async () => {
    const t = setup();
    const path = join(homeDir, "report.pdf");
    await writeFile(path, "%PDF");
    const staged = await t.service.stageFromDisk(path, "report.pdf", "application/pdf");
    const transfer = await t.handlers.sendFile({
      accountId: "a1",
      to: "bob@example.org",
      token: staged.token,
    });
    expect((await t.finished(transfer.id)).state).toBe("done");
    expect(t.uploaded[0]!.file.path).toBe(path);
    expect(await readFile(path, "utf8")).toBe("%PDF");
  });

  it("never from Wren's own data folder", async () => {
    const t = setup();
    await writeFile(join(dataDir, "wren.db"), "secret");
    await expect(t.service.stageFromDisk(join(dataDir, "wren.db"), "wren.db", "")).rejects.toThrow(
      "Wren does not send its own data files.",
    );
  });

  it("from an unknown account is refused, and the file stays staged", async () => {
    const t = setup();
    const staged = await streamed(t.handlers, "a.txt", "abc");
    expect(
      await thrown(() =>
        t.handlers.sendFile({ accountId: "nobody", to: "bob@example.org", token: staged.token }),
      ),
    ).toMatchObject({ message: "Unknown account." });
    const transfer = await t.handlers.sendFile({
      accountId: "a1",
      to: "bob@example.org",
      token: staged.token,
    });
    expect((await t.finished(transfer.id)).state).toBe("done");
  });

  it("while the account is offline fails in words, and can be retried once it is online", async () => {
    const t = setup();
    t.online.clear();
    const staged = await streamed(t.handlers, "a.txt", "abc");
    const transfer = await t.handlers.sendFile({
      accountId: "a1",
      to: "bob@example.org",
      token: staged.token,
    });
    expect(await t.finished(transfer.id)).toMatchObject({
      state: "failed",
      error: "alice@example.org is not connected.",
      canRetry: true,
    });
    expect(t.upload).not.toHaveBeenCalled();
    expect(await readdir(stagingDir)).toHaveLength(1);

    t.online.add("a1");
    await t.handlers.retryTransfer({ id: transfer.id });
    await vi.waitFor(() =>
      expect(t.service.transfers()[0]).toMatchObject({ state: "done", messageId: "sent-1" }),
    );
    expect(t.uploaded.map((upload) => upload.bytes)).toEqual(["abc"]);
  });

  it("discarded before sending deletes its copy", async () => {
    const t = setup();
    const staged = await streamed(t.handlers, "a.txt", "abc");
    await t.handlers.discardFile({ token: staged.token });
    expect(await readdir(stagingDir)).toEqual([]);
    expect(
      await thrown(() =>
        t.handlers.sendFile({ accountId: "a1", to: "bob@example.org", token: staged.token }),
      ),
    ).toMatchObject({ message: "Wren no longer has that file; add it again." });
  });

  it("dismissed once done is told gone to the page", async () => {
    const t = setup();
    const staged = await streamed(t.handlers, "a.txt", "abc");
    const transfer = await t.handlers.sendFile({
      accountId: "a1",
      to: "bob@example.org",
      token: staged.token,
    });
    await t.finished(transfer.id);
    await t.handlers.dismissTransfer({ id: transfer.id });
    expect(t.events.at(-1)).toEqual({ type: "transfers", changed: [], removed: [transfer.id] });
    expect(t.service.transfers()).toEqual([]);
  });
});

describe("the file a message carries", () => {
  it("is downloaded into the downloads folder, marked, and then opened on request", async () => {
    const t = setup();
    const transfer = await t.handlers.downloadFile({
      accountId: "a1",
      peer: "bob@example.org/phone",
      messageId: "with-file",
    });
    expect(t.chat.history).toHaveBeenCalledWith("bob@example.org", { around: "with-file" }, 3);
    expect(transfer).toMatchObject({
      direction: "download",
      peer: "bob@example.org",
      name: "photo.jpg",
      messageId: "with-file",
    });
    const done = await t.finished(transfer.id);
    expect(done).toMatchObject({ state: "done", savedName: "photo.jpg", size: 4 });
    const [url, options] = t.download.mock.calls[0]!;
    expect(url.href).toBe(PHOTO.url);
    expect(options).toMatchObject({
      ownServer: "example.org",
      dir: downloadsDir,
      name: "photo.jpg",
      maxBytes: DEFAULT_MAX_DOWNLOAD_BYTES,
    });
    const saved = join(downloadsDir, "photo.jpg");
    expect(t.options.markDownloaded).toHaveBeenCalledWith(saved, url);

    await t.handlers.openDownload({ id: transfer.id });
    expect(t.options.openPath).toHaveBeenCalledExactlyOnceWith(saved);
    await t.handlers.showDownload({ id: transfer.id });
    expect(t.options.showInFolder).toHaveBeenCalledExactlyOnceWith(saved);
  });

  it("is looked for in that very message only", async () => {
    const t = setup();
    // The message asked for is not among those around it (a neighbour carries a file)...
    for (const messageId of ["plain", "not-in-history"]) {
      t.chat.history.mockResolvedValueOnce([message("before"), message("after", PHOTO)]);
      await expect(
        t.handlers.downloadFile({ accountId: "a1", peer: "bob@example.org", messageId }),
      ).rejects.toThrow("That message carries no file.");
    }
    // ...or is, without a file, though the one after it carries one.
    await expect(
      t.handlers.downloadFile({ accountId: "a1", peer: "bob@example.org", messageId: "plain" }),
    ).rejects.toThrow("That message carries no file.");
    expect(t.download).not.toHaveBeenCalled();
  });

  it("of an unknown account is refused", async () => {
    const t = setup();
    await expect(
      t.handlers.downloadFile({ accountId: "nobody", peer: "bob@example.org", messageId: "x" }),
    ).rejects.toThrow("Unknown account.");
    await expect(
      t.handlers.fileInfo({ accountId: "nobody", peer: "bob@example.org", messageId: "x" }),
    ).rejects.toThrow("Unknown account.");
  });

  it("is not fetched from the local network of another server, and says so in words", async () => {
    const t = setup();
    const local = { ...PHOTO, url: "https://192.168.1.10/photo.jpg" };
    t.chat.history.mockResolvedValue([message("m1", local)]);
    const args = { accountId: "a1", peer: "bob@example.org", messageId: "m1" };
    for (const ask of [() => t.handlers.fileInfo(args), () => t.handlers.filePreview(args)]) {
      const error = await thrown(ask);
      expect(error).toBeInstanceOf(WrenError);
      expect(error).toMatchObject({
        code: "not-available",
        message: "The file's address points into your own network; Wren does not fetch it.",
      });
    }
  });

  it("is not fetched over plain http", async () => {
    const t = setup();
    t.chat.history.mockResolvedValue([message("m1", { ...PHOTO, url: "http://example.org/a" })]);
    await expect(
      t.handlers.fileInfo({ accountId: "a1", peer: "bob@example.org", messageId: "m1" }),
    ).rejects.toThrow("Wren only fetches files over https.");
  });

  it("has no preview when previews are off", async () => {
    const t = setup({ maxPreviewBytes: 0 });
    t.chat.history.mockResolvedValue([message("m1", { ...PHOTO, url: "https://192.168.1.10/a" })]);
    expect(
      await t.handlers.filePreview({ accountId: "a1", peer: "bob@example.org", messageId: "m1" }),
    ).toBeNull();
  });
});

describe("the file service's life", () => {
  it("clears copies a crashed run left at start, and deletes its own at dispose", async () => {
    await mkdir(stagingDir, { recursive: true });
    await writeFile(join(stagingDir, ".wren-stage-crashed"), "old");
    const t = setup();
    await t.service.start();
    expect(await readdir(stagingDir)).toEqual([]);

    const path = join(homeDir, "mine.txt");
    await writeFile(path, "mine");
    await t.service.stageFromDisk(path, "mine.txt", "");
    await streamed(t.handlers, "a.txt", "abc");
    const { token } = await t.handlers.beginFile({ name: "b.txt", size: 10, mediaType: "" });
    expect(await readdir(stagingDir)).toHaveLength(2);
    await t.service.dispose();
    expect(await readdir(stagingDir)).toEqual([]);
    expect(existsSync(path)).toBe(true);
    await expect(t.handlers.finishFile({ token })).rejects.toThrow(
      "Wren no longer has that file; add it again.",
    );
  });

  it("stops uploads under way at dispose, sending nothing", async () => {
    const t = setup();
    let signal: AbortSignal | undefined;
    t.upload.mockImplementationOnce(
      (_file: UploadFile, options: UploadOptions) =>
        new Promise<string>((_resolve, reject) => {
          signal = options.signal;
          options.signal?.addEventListener("abort", () => reject(options.signal?.reason));
        }),
    );
    const staged = await streamed(t.handlers, "a.txt", "abc");
    await t.handlers.sendFile({ accountId: "a1", to: "bob@example.org", token: staged.token });
    await vi.waitFor(() => expect(signal).toBeDefined());
    await t.service.dispose();
    expect(signal?.aborted).toBe(true);
    expect(await readdir(stagingDir)).toEqual([]);
    expect(t.chat.sendFile).not.toHaveBeenCalled();
  });
});
