import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_FILES_AT_ONCE, type Envelope, type StagedFile } from "../../preload/contract";
import { BoundedCache } from "../../renderer/lib/files/bounded-cache";
import {
  fileTypeLabel,
  formatBytes,
  formatTimeLeft,
  percentDone,
  progressLine,
} from "../../renderer/lib/files/transfer-format";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import { TransfersState } from "../../renderer/lib/state/transfers.svelte";
import { patternFile } from "./drag";
import {
  createFakeApi,
  fail,
  ME,
  ok,
  onlineSnapshot,
  transfer,
  twoAccountSnapshot,
  WORK,
} from "./fake-api";

async function startedApp(snapshot = onlineSnapshot()) {
  const api = createFakeApi(snapshot);
  const app = new WrenApp(api, { attentive: () => true });
  await app.start();
  return { api, app };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("TransfersState", () => {
  it("applies main's transfers and events, one new value per batch", () => {
    const state = new TransfersState();
    const upload = transfer({ id: "u1", peer: "alice@x.org" });
    const elsewhere = transfer({ id: "u2", peer: "bob@x.org" });
    const download = transfer({ id: "d1", direction: "download", messageId: "m1" });
    expect(state.setAll([upload, elsewhere, download])).toEqual([]);
    expect(state.forConversation(ME, "alice@x.org").map((row) => row.id)).toEqual(["u1"]);
    expect(state.downloadOf(ME, "m1")?.id).toBe("d1");

    const before = state.all;
    const finished = state.apply(
      [
        { ...upload, transferred: 500, rate: 100 },
        { ...elsewhere, state: "done", messageId: "m9" },
        transfer({ id: "d2", direction: "download", messageId: "m1", state: "failed" }),
      ],
      ["d1"],
    );
    expect(state.all).not.toBe(before);
    // A finished upload's message is in the conversation now: it leaves the list.
    expect(finished).toEqual(["u2"]);
    expect(state.forConversation(ME, "bob@x.org")).toEqual([]);
    expect(state.forConversation(ME, "alice@x.org")[0]).toMatchObject({
      transferred: 500,
      rate: 100,
      state: "running",
    });
    expect(state.downloadOf(ME, "m1")?.id).toBe("d2");
    expect(state.downloadOf(WORK, "m1")).toBeNull();
  });

  it("never lets a command's late answer bring back or roll back a transfer", () => {
    const state = new TransfersState();
    const sent = transfer({ id: "u1" });
    state.apply([{ ...sent, transferred: 700 }], []);
    state.add(sent);
    expect(state.get("u1")?.transferred).toBe(700);
    state.apply([{ ...sent, state: "done" }], []);
    state.add(sent);
    expect(state.get("u1")).toBeUndefined();
  });

  it("lists files still being handed over after main's uploads", () => {
    const state = new TransfersState();
    state.setAll([transfer({ id: "u1" })]);
    state.putLocal({
      id: "local-1",
      accountId: ME,
      peer: "alice@x.org",
      name: "b.txt",
      size: 10,
      staged: 4,
      state: "preparing",
      error: null,
      canRetry: false,
    });
    expect(state.forConversation(ME, "alice@x.org")).toEqual([
      expect.objectContaining({ id: "u1", state: "running" }),
      expect.objectContaining({ id: "local-1", state: "preparing", transferred: 4, size: 10 }),
    ]);
  });
});

describe("sending files", () => {
  it("hands each file over, then sends it to the conversation's peer over its account", async () => {
    const { api, app } = await startedApp(twoAccountSnapshot());
    const files = [patternFile(10, "a.txt", "text/plain"), patternFile(20, "b.png", "image/png")];
    await app.sendFiles(WORK, "bob@y.org", files);

    expect(api.beginFile).toHaveBeenCalledWith({
      name: "a.txt",
      size: 10,
      mediaType: "text/plain",
    });
    expect(api.beginFile).toHaveBeenCalledWith({ name: "b.png", size: 20, mediaType: "image/png" });
    const sends = vi.mocked(api.sendFile).mock.calls.map(([args]) => args);
    expect(sends).toHaveLength(2);
    for (const args of sends) expect(args).toMatchObject({ accountId: WORK, to: "bob@y.org" });
    const rows = app.transfers.forConversation(WORK, "bob@y.org");
    expect(rows.map((row) => row.state)).toEqual(["running", "running"]);
  });

  it("shows a file as preparing, with how much main has, while it is handed over", async () => {
    const { api, app } = await startedApp();
    let begin!: () => void;
    api.beginFile = vi.fn(
      () =>
        new Promise<Envelope<{ token: string }>>(
          (resolve) => (begin = () => resolve(ok({ token: "tok" }))),
        ),
    );
    const sending = app.sendFiles(ME, "alice@x.org", [patternFile(50, "slow.bin")]);
    await vi.waitFor(() => expect(api.beginFile).toHaveBeenCalled());
    expect(app.transfers.forConversation(ME, "alice@x.org")).toEqual([
      expect.objectContaining({ name: "slow.bin", state: "preparing", transferred: 0, size: 50 }),
    ]);
    begin();
    await sending;
    expect(app.transfers.forConversation(ME, "alice@x.org")).toEqual([
      expect.objectContaining({ state: "running" }),
    ]);
  });

  it("shows each file's own error, keeps the others going, and tries a failed one again", async () => {
    const { api, app } = await startedApp();
    api.sendFile = vi.fn(async ({ accountId, to, token }) =>
      token === "file-2"
        ? fail("The server has no file upload service.")
        : ok(transfer({ accountId, peer: to, name: "ok.txt" })),
    );
    await app.sendFiles(ME, "alice@x.org", [patternFile(5, "ok.txt"), patternFile(5, "no.txt")]);
    const rows = app.transfers.forConversation(ME, "alice@x.org");
    expect(rows).toEqual([
      expect.objectContaining({ name: "ok.txt", state: "running" }),
      expect.objectContaining({
        name: "no.txt",
        state: "failed",
        error: "The server has no file upload service.",
        canRetry: true,
      }),
    ]);
    expect(api.discardFile).toHaveBeenCalledWith({ token: "file-2" });

    api.sendFile = vi.fn(async ({ accountId, to }) =>
      ok(transfer({ accountId, peer: to, name: "no.txt" })),
    );
    await app.retryTransfer(rows[1]!.id);
    expect(api.beginFile).toHaveBeenCalledTimes(3);
    expect(
      app.transfers.forConversation(ME, "alice@x.org").map((row) => [row.name, row.state]),
    ).toEqual([
      ["ok.txt", "running"],
      ["no.txt", "running"],
    ]);
  });

  it("sends at most MAX_FILES_AT_ONCE and says how many were left out", async () => {
    const { api, app } = await startedApp();
    const files = Array.from({ length: MAX_FILES_AT_ONCE + 3 }, (_, i) => patternFile(1, `${i}`));
    await app.sendFiles(ME, "alice@x.org", files);
    expect(api.sendFile).toHaveBeenCalledTimes(MAX_FILES_AT_ONCE);
    expect(app.transfers.notice(ME, "alice@x.org")).toBe(
      `3 more files were not sent: at most ${MAX_FILES_AT_ONCE} files go at once.`,
    );
    app.dismissFileNotice(ME, "alice@x.org");
    expect(app.transfers.notice(ME, "alice@x.org")).toBeNull();
  });

  it("cancels a file being handed over: nothing is sent and main forgets it", async () => {
    const { api, app } = await startedApp();
    let answer!: () => void;
    api.appendFile = vi.fn(
      () => new Promise<Envelope<void>>((resolve) => (answer = () => resolve(ok(undefined)))),
    );
    const sending = app.sendFiles(ME, "alice@x.org", [patternFile(10, "x.bin")]);
    await vi.waitFor(() => expect(api.appendFile).toHaveBeenCalled());
    const [row] = app.transfers.forConversation(ME, "alice@x.org");
    app.cancelTransfer(row!.id);
    answer();
    await sending;
    expect(api.sendFile).not.toHaveBeenCalled();
    expect(api.cancelTransfer).not.toHaveBeenCalled();
    expect(api.discardFile).toHaveBeenCalledWith({ token: "file-1" });
    expect(app.transfers.forConversation(ME, "alice@x.org")).toEqual([
      expect.objectContaining({ state: "cancelled", canRetry: true }),
    ]);
    app.dismissTransfer(row!.id);
    expect(app.transfers.forConversation(ME, "alice@x.org")).toEqual([]);
    expect(api.dismissTransfer).not.toHaveBeenCalled();
  });

  it("hands over a few files at a time; the rest wait, preparing", async () => {
    const { api, app } = await startedApp();
    const pending: (() => void)[] = [];
    api.finishFile = vi.fn(
      ({ token }: { token: string }) =>
        new Promise<Envelope<StagedFile>>((resolve) =>
          pending.push(() =>
            resolve(ok<StagedFile>({ token, name: "f", size: 1, mediaType: null })),
          ),
        ),
    );
    const sending = app.sendFiles(
      ME,
      "alice@x.org",
      Array.from({ length: 6 }, (_, i) => patternFile(1, `f${i}`)),
    );
    await vi.waitFor(() => expect(pending).toHaveLength(3));
    expect(api.beginFile).toHaveBeenCalledTimes(3);
    while (pending.length > 0) pending.shift()!();
    await vi.waitFor(() => expect(api.beginFile).toHaveBeenCalledTimes(6));
    await vi.waitFor(() => expect(pending).toHaveLength(3));
    while (pending.length > 0) pending.shift()!();
    await sending;
    expect(api.sendFile).toHaveBeenCalledTimes(6);
  });
});

describe("main's transfers in the app", () => {
  it("takes finished uploads off the list, in the snapshot and as they finish", async () => {
    const snapshot = onlineSnapshot();
    snapshot.transfers = [
      transfer({ id: "old", state: "done", messageId: "m1" }),
      transfer({ id: "running" }),
    ];
    const { api, app } = await startedApp(snapshot);
    expect(api.dismissTransfer).toHaveBeenCalledWith({ id: "old" });
    expect(app.transfers.forConversation(ME, "alice@x.org").map((row) => row.id)).toEqual([
      "running",
    ]);

    api.emit([
      {
        type: "transfers",
        changed: [transfer({ id: "running", state: "done", messageId: "m2", transferred: 1000 })],
        removed: [],
      },
    ]);
    expect(api.dismissTransfer).toHaveBeenCalledWith({ id: "running" });
    expect(app.transfers.forConversation(ME, "alice@x.org")).toEqual([]);
  });

  it("cancels, retries and dismisses main's uploads; a refused retry shows why", async () => {
    const snapshot = onlineSnapshot();
    snapshot.transfers = [
      transfer({ id: "u1", state: "failed", error: "Slot expired.", canRetry: true }),
    ];
    const { api, app } = await startedApp(snapshot);
    app.cancelTransfer("u1");
    expect(api.cancelTransfer).toHaveBeenCalledWith({ id: "u1" });

    api.retryTransfer = vi.fn(async () => fail("The account is offline."));
    expect((await app.retryTransfer("u1")).ok).toBe(false);
    expect(app.transfers.get("u1")?.error).toBe("The account is offline.");

    api.retryTransfer = vi.fn(async () => ok(transfer({ id: "u1", state: "running" })));
    expect(await app.retryTransfer("u1")).toEqual({ ok: true });
    expect(app.transfers.get("u1")?.state).toBe("running");

    app.dismissTransfer("u1");
    expect(api.dismissTransfer).toHaveBeenCalledWith({ id: "u1" });
    expect(app.transfers.get("u1")).toBeUndefined();
  });

  it("downloads a message's file; trying again replaces the failed download", async () => {
    const { api, app } = await startedApp();
    api.downloadFile = vi.fn(async () =>
      ok(transfer({ id: "d1", direction: "download", messageId: "m1" })),
    );
    expect(await app.downloadFile(ME, "alice@x.org", "m1")).toEqual({ ok: true });
    expect(api.downloadFile).toHaveBeenCalledWith({
      accountId: ME,
      peer: "alice@x.org",
      messageId: "m1",
    });
    expect(app.transfers.downloadOf(ME, "m1")?.id).toBe("d1");
    api.emit([
      {
        type: "transfers",
        changed: [transfer({ id: "d1", direction: "download", messageId: "m1", state: "failed" })],
        removed: [],
      },
    ]);
    api.downloadFile = vi.fn(async () =>
      ok(transfer({ id: "d2", direction: "download", messageId: "m1" })),
    );
    await app.downloadFile(ME, "alice@x.org", "m1");
    expect(app.transfers.downloadOf(ME, "m1")?.id).toBe("d2");
    expect(api.dismissTransfer).toHaveBeenCalledWith({ id: "d1" });

    api.downloadFile = vi.fn(async () => fail("Only https links are downloaded."));
    expect(await app.downloadFile(ME, "alice@x.org", "m2")).toEqual(
      fail("Only https links are downloaded."),
    );
  });

  it("asks a file's details once, and decodes a preview once", async () => {
    const { api, app } = await startedApp();
    api.fileInfo = vi.fn(async () => ok({ size: 42, mediaType: "application/pdf" }));
    const [a, b] = await Promise.all([
      app.fileInfo(ME, "alice@x.org", "m1"),
      app.fileInfo(ME, "alice@x.org", "m1"),
    ]);
    expect(a).toEqual({ size: 42, mediaType: "application/pdf" });
    expect(b).toBe(a);
    expect(api.fileInfo).toHaveBeenCalledTimes(1);

    const bitmap = { width: 400, height: 100, close: vi.fn() };
    const decode = vi.fn(async (_source: unknown, _options?: unknown) => bitmap);
    vi.stubGlobal("createImageBitmap", decode);
    api.filePreview = vi.fn(async () => ok({ mediaType: "image/png", data: "iVBORw0KGgo=" }));
    const preview = await app.filePreview(ME, "alice@x.org", "m1");
    await app.filePreview(ME, "alice@x.org", "m1");
    expect(api.filePreview).toHaveBeenCalledTimes(1);
    const blob = decode.mock.calls[0]![0] as Blob;
    expect(blob.type).toBe("image/png");
    expect(blob.size).toBe(8);
    // Drawn at most 280 wide: 400 × 100 becomes 280 × 70.
    expect(preview).toMatchObject({ width: 280, height: 70 });

    api.filePreview = vi.fn(async () => ok(null));
    expect(await app.filePreview(ME, "alice@x.org", "m2")).toBeNull();
  });
});

describe("BoundedCache", () => {
  it("keeps the most recently used entries and frees what it pushes out", async () => {
    const disposed: string[] = [];
    const cache = new BoundedCache<string>(2, (value) => disposed.push(value));
    await cache.get("a", async () => "A");
    await cache.get("b", async () => "B");
    expect(cache.peek("a")).toBe("A");
    await cache.get("c", async () => "C");
    expect(disposed).toEqual(["B"]);
    expect(cache.peek("b")).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.forgetPrefix("a");
    expect(disposed).toEqual(["B", "A"]);
  });
});

describe("transfer formatting", () => {
  it("formats sizes, percentages, rates and time left", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(230 * 1024 * 1024)).toBe("230 MB");
    expect(percentDone(50, 200)).toBe(25);
    expect(percentDone(199, 200)).toBe(99);
    expect(percentDone(0, 0)).toBe(100);
    expect(percentDone(5, null)).toBeNull();
    expect(formatTimeLeft(4.2)).toBe("5 s left");
    expect(formatTimeLeft(3700)).toBe("1 h 2 min left");
    expect(progressLine({ size: 2048, transferred: 1024, rate: 512 })).toBe(
      "50% · 1 KB of 2 KB · 512 B/s · 2 s left",
    );
    expect(progressLine({ size: null, transferred: 1024, rate: null })).toBe("1 KB");
    expect(fileTypeLabel("report.final.pdf", null)).toBe("PDF");
    expect(fileTypeLabel("README", "text/plain; charset=utf-8")).toBe("text/plain");
  });
});
