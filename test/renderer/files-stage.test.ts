import { describe, expect, it, vi } from "vitest";
import { FILE_CHUNK_BYTES, type Envelope, type StagedFile } from "../../preload/contract";
import { base64ToBytes, bytesToBase64 } from "../../renderer/lib/files/base64";
import { CHUNKS_IN_FLIGHT, stageFile } from "../../renderer/lib/files/stage-file";
import { patternFile } from "./drag";
import { createFakeApi, fail, ok } from "./fake-api";

type Append = { token: string; offset: number; data: string };

function appendsOf(api: ReturnType<typeof createFakeApi>): Append[] {
  return vi.mocked(api.appendFile).mock.calls.map(([args]) => args as Append);
}

function joined(appends: Append[]): Uint8Array {
  const parts = appends.map((append) => base64ToBytes(append.data));
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

describe("stageFile, streaming the bytes", () => {
  it("sends the chunks in order at their offsets, base64 of exactly the file's bytes", async () => {
    const size = FILE_CHUNK_BYTES * 3 + 1234;
    const file = patternFile(size, "photo.png", "image/png");
    const api = createFakeApi();
    api.beginFile = vi.fn(async () => ok({ token: "tok" }));
    api.finishFile = vi.fn(async () =>
      ok<StagedFile>({ token: "tok", name: "photo.png", size, mediaType: "image/png" }),
    );
    const progress: number[] = [];

    const staged = await stageFile(api, file, (sent) => progress.push(sent));

    expect(staged).toEqual(ok({ token: "tok", name: "photo.png", size, mediaType: "image/png" }));
    expect(api.beginFile).toHaveBeenCalledWith({ name: "photo.png", size, mediaType: "image/png" });
    const appends = appendsOf(api);
    expect(appends.map((a) => a.offset)).toEqual([
      0,
      FILE_CHUNK_BYTES,
      FILE_CHUNK_BYTES * 2,
      FILE_CHUNK_BYTES * 3,
    ]);
    expect(appends.every((a) => a.token === "tok")).toBe(true);
    expect(appends.every((a) => a.data.length <= Math.ceil(FILE_CHUNK_BYTES / 3) * 4)).toBe(true);
    const expected = new Uint8Array(await file.arrayBuffer());
    expect(joined(appends)).toEqual(expected);
    expect(progress.at(-1)).toBe(size);
    expect(api.finishFile).toHaveBeenCalledWith({ token: "tok" });
    expect(api.discardFile).not.toHaveBeenCalled();
  });

  it("keeps at most a few chunks in flight, and finishes only once all are answered", async () => {
    const api = createFakeApi();
    let inFlight = 0;
    let most = 0;
    const answers: (() => void)[] = [];
    api.appendFile = vi.fn(() => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<Envelope<void>>((resolve) => {
        answers.push(() => {
          inFlight--;
          resolve(ok(undefined));
        });
      });
    });
    const staging = stageFile(api, patternFile(FILE_CHUNK_BYTES * 10));
    // Answer chunks one by one, as main would, until every one was sent and answered.
    for (let answered = 0; answered < 10; answered++) {
      await vi.waitFor(() => expect(answers.length).toBeGreaterThan(answered));
      expect(api.finishFile).not.toHaveBeenCalled();
      answers[answered]!();
    }
    expect((await staging).ok).toBe(true);
    expect(most).toBe(CHUNKS_IN_FLIGHT);
    expect(api.finishFile).toHaveBeenCalledTimes(1);
  });

  it("stages an empty file with no chunk", async () => {
    const api = createFakeApi();
    const staged = await stageFile(api, new File([], "empty.txt", { type: "text/plain" }));
    expect(staged.ok).toBe(true);
    expect(api.appendFile).not.toHaveBeenCalled();
    expect(api.finishFile).toHaveBeenCalledTimes(1);
  });

  it("discards the file and returns the error when a chunk is refused", async () => {
    const api = createFakeApi();
    api.beginFile = vi.fn(async () => ok({ token: "tok" }));
    api.appendFile = vi.fn(async ({ offset }: { offset: number }) =>
      offset === FILE_CHUNK_BYTES ? fail("Out of disk space.") : ok(undefined),
    );
    const staged = await stageFile(api, patternFile(FILE_CHUNK_BYTES * 8));
    expect(staged).toEqual({
      ok: false,
      error: { code: "internal", message: "Out of disk space." },
    });
    expect(api.discardFile).toHaveBeenCalledWith({ token: "tok" });
    expect(api.finishFile).not.toHaveBeenCalled();
    // It stopped sending soon after: not all eight chunks went.
    expect(appendsOf(api).length).toBeLessThan(8);
  });

  it("discards the file when the bridge throws or finishing fails", async () => {
    const thrown = createFakeApi();
    thrown.beginFile = vi.fn(async () => ok({ token: "a" }));
    thrown.appendFile = vi.fn(async () => {
      throw new Error("channel closed");
    });
    const first = await stageFile(thrown, patternFile(100));
    expect(first.ok).toBe(false);
    expect(thrown.discardFile).toHaveBeenCalledWith({ token: "a" });

    const refused = createFakeApi();
    refused.beginFile = vi.fn(async () => ok({ token: "b" }));
    refused.finishFile = vi.fn(async () => fail("The file changed while it was read."));
    const second = await stageFile(refused, patternFile(100));
    expect(second).toEqual({
      ok: false,
      error: { code: "internal", message: "The file changed while it was read." },
    });
    expect(refused.discardFile).toHaveBeenCalledWith({ token: "b" });
  });

  it("returns beginFile's error without anything to discard", async () => {
    const api = createFakeApi();
    api.beginFile = vi.fn(async () => fail("Too many files at once."));
    const staged = await stageFile(api, patternFile(10));
    expect(staged.ok).toBe(false);
    expect(api.appendFile).not.toHaveBeenCalled();
    expect(api.discardFile).not.toHaveBeenCalled();
  });

  it("stops and discards when aborted midway", async () => {
    const api = createFakeApi();
    api.beginFile = vi.fn(async () => ok({ token: "tok" }));
    const controller = new AbortController();
    api.appendFile = vi.fn(async ({ offset }: { offset: number }) => {
      if (offset === FILE_CHUNK_BYTES * 2) controller.abort();
      return ok(undefined);
    });
    const staged = await stageFile(
      api,
      patternFile(FILE_CHUNK_BYTES * 20),
      undefined,
      controller.signal,
    );
    expect(staged).toEqual({ ok: false, error: { code: "cancelled", message: "Cancelled." } });
    expect(api.discardFile).toHaveBeenCalledWith({ token: "tok" });
    expect(api.finishFile).not.toHaveBeenCalled();
    expect(appendsOf(api).length).toBeLessThan(20);
  });
});

describe("stageFile, by path (Electron)", () => {
  it("hands the file over by its path when the bridge can, sending no bytes", async () => {
    const api = createFakeApi();
    const staged: StagedFile = { token: "disk", name: "big.iso", size: 5_000, mediaType: null };
    api.stageFileFromDisk = vi.fn(async () => ok(staged));
    const file = patternFile(5_000, "big.iso");
    const progress = vi.fn();
    expect(await stageFile(api, file, progress)).toEqual(ok(staged));
    expect(api.stageFileFromDisk).toHaveBeenCalledWith(file);
    expect(progress).toHaveBeenCalledWith(5_000);
    expect(api.beginFile).not.toHaveBeenCalled();
    expect(api.appendFile).not.toHaveBeenCalled();
  });

  it("streams a file that has no path (a pasted image)", async () => {
    const api = createFakeApi();
    api.stageFileFromDisk = vi.fn(async () => null);
    const staged = await stageFile(api, patternFile(300, "image.png", "image/png"));
    expect(staged.ok).toBe(true);
    expect(api.beginFile).toHaveBeenCalledWith({
      name: "image.png",
      size: 300,
      mediaType: "image/png",
    });
    expect(appendsOf(api)).toHaveLength(1);
  });

  it("returns the bridge's error as is", async () => {
    const api = createFakeApi();
    api.stageFileFromDisk = vi.fn(async () => fail("The file is gone."));
    expect(await stageFile(api, patternFile(3))).toEqual(fail("The file is gone."));
    expect(api.beginFile).not.toHaveBeenCalled();
  });
});

describe("base64", () => {
  it("round-trips every byte value, natively and with the fallback", () => {
    const bytes = new Uint8Array(70_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
    const text = bytesToBase64(bytes);
    expect(bytesToBase64(new Uint8Array([0, 255, 1, 2, 3]))).toBe("AP8BAgM=");
    expect(base64ToBytes(text)).toEqual(bytes);

    const proto = Uint8Array.prototype as Uint8Array & { toBase64?: () => string };
    const saved = proto.toBase64;
    proto.toBase64 = function (this: Uint8Array) {
      return `native:${this.length}`;
    };
    try {
      expect(bytesToBase64(new Uint8Array(3))).toBe("native:3");
    } finally {
      if (saved) proto.toBase64 = saved;
      else delete proto.toBase64;
    }
  });
});
