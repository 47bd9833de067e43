import { describe, expect, it, vi } from "vitest";
import type { Attachment } from "../../../preload/contract";
import { FetchError, type FetchOptions, type FileHead } from "../../../main/files/fetch-file";
import { FilePreviews, type FilePreviewDeps } from "../../../main/files/file-previews";
import { WrenError } from "../../../main/shared/errors";

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

const attachment = (url: string, size: number | null = 100): Attachment => ({
  url,
  name: "x",
  size,
  mediaType: null,
});

/** Messages by id, each carrying the file at its attachment's URL. */
function setup(
  messages: Record<string, Attachment>,
  overrides: Partial<FilePreviewDeps> = {},
): { previews: FilePreviews; deps: FilePreviewDeps } {
  const deps: FilePreviewDeps = {
    attachmentOf: vi.fn(async (_accountId: string, _peer: string, messageId: string) => {
      const found = messages[messageId];
      if (!found) throw new WrenError("invalid-argument", "That message carries no file.");
      return found;
    }),
    ownServer: vi.fn((accountId: string) => `${accountId}.example.org`),
    head: vi.fn(async (url: URL): Promise<FileHead> => ({
      url,
      size: 1234,
      mediaType: "image/png",
    })),
    fetchSmall: vi.fn(async () => ({ bytes: PNG, mediaType: "image/png" })),
    maxPreviewBytes: 1000,
    ...overrides,
  };
  return { previews: new FilePreviews(deps), deps };
}

describe("what a file is", () => {
  it("is asked of its server with HEAD, through the account's own server's rules", async () => {
    const { previews, deps } = setup({ m1: attachment("https://files.example.org/a.png") });
    expect(await previews.info("acct", "bob@example.org", "m1")).toEqual({
      size: 1234,
      mediaType: "image/png",
    });
    expect(deps.attachmentOf).toHaveBeenCalledWith("acct", "bob@example.org", "m1");
    const [url, options] = vi.mocked(deps.head).mock.calls[0]!;
    expect(url.href).toBe("https://files.example.org/a.png");
    expect(options).toEqual({ ownServer: "acct.example.org" });
  });

  it("is asked once per URL, however many messages carry it or ask at once", async () => {
    const { previews, deps } = setup({
      m1: attachment("https://files.example.org/a.png"),
      m2: attachment("https://files.example.org/a.png"),
      m3: attachment("https://files.example.org/b.png"),
    });
    const [first, second] = await Promise.all([
      previews.info("acct", "bob@example.org", "m1"),
      previews.info("acct", "bob@example.org", "m1"),
    ]);
    expect(second).toEqual(first);
    await previews.info("acct", "bob@example.org", "m2");
    expect(deps.head).toHaveBeenCalledOnce();
    await previews.info("acct", "bob@example.org", "m3");
    expect(deps.head).toHaveBeenCalledTimes(2);
  });

  it("that could not be learnt says why, readably, and is asked again next time", async () => {
    const head = vi
      .fn<FilePreviewDeps["head"]>()
      .mockRejectedValueOnce(new FetchError("The file is no longer there."))
      .mockResolvedValueOnce({ url: new URL("https://x.example/"), size: 5, mediaType: null });
    const { previews } = setup({ m1: attachment("https://files.example.org/a.png") }, { head });
    const error = await previews.info("acct", "bob", "m1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect(error).toMatchObject({ code: "not-available", message: "The file is no longer there." });
    expect(await previews.info("acct", "bob", "m1")).toEqual({ size: 5, mediaType: null });
    expect(head).toHaveBeenCalledTimes(2);
  });

  it("fails as it failed when the failure is not a fetch's", async () => {
    const problem = new WrenError("invalid-argument", "Unknown account.");
    const { previews } = setup(
      { m1: attachment("https://files.example.org/a.png") },
      { head: vi.fn(() => Promise.reject(problem)) },
    );
    await expect(previews.info("acct", "bob", "m1")).rejects.toBe(problem);
  });

  it("of a message without a file is refused", async () => {
    const { previews, deps } = setup({});
    await expect(previews.info("acct", "bob", "m1")).rejects.toThrow(
      "That message carries no file.",
    );
    expect(deps.head).not.toHaveBeenCalled();
  });
});

describe("a preview", () => {
  it("is a small raster image's bytes, fetched with the size limit, in base64", async () => {
    const { previews, deps } = setup({ m1: attachment("https://files.example.org/a.png") });
    expect(await previews.preview("acct", "bob@example.org", "m1")).toEqual({
      mediaType: "image/png",
      data: PNG.toString("base64"),
    });
    const [url, options] = vi.mocked(deps.fetchSmall).mock.calls[0]!;
    expect(url.href).toBe("https://files.example.org/a.png");
    expect(options).toEqual({ ownServer: "acct.example.org", maxBytes: 1000 });
  });

  it("is made of PNG, JPEG, GIF and WebP only: never SVG nor any other type", async () => {
    const types: [string | null, boolean][] = [
      ["image/png", true],
      ["image/jpeg", true],
      ["image/gif", true],
      ["image/webp", true],
      ["image/svg+xml", false],
      ["image/bmp", false],
      ["image/x-icon", false],
      ["image/avif", false],
      ["text/html", false],
      ["application/pdf", false],
      [null, false],
    ];
    for (const [mediaType, shown] of types) {
      const { previews } = setup(
        { m1: attachment("https://files.example.org/file") },
        { fetchSmall: vi.fn(async () => ({ bytes: PNG, mediaType })) },
      );
      const preview = await previews.preview("acct", "bob", "m1");
      expect(preview, String(mediaType)).toEqual(
        shown ? { mediaType, data: PNG.toString("base64") } : null,
      );
    }
  });

  it("is not fetched for a file announced larger than the limit", async () => {
    const { previews, deps } = setup({
      big: attachment("https://files.example.org/big.png", 1001),
      limit: attachment("https://files.example.org/limit.png", 1000),
      unknown: attachment("https://files.example.org/unknown.png", null),
    });
    expect(await previews.preview("acct", "bob", "big")).toBeNull();
    expect(deps.fetchSmall).not.toHaveBeenCalled();
    expect(await previews.preview("acct", "bob", "limit")).not.toBeNull();
    expect(await previews.preview("acct", "bob", "unknown")).not.toBeNull();
    expect(deps.fetchSmall).toHaveBeenCalledTimes(2);
  });

  it("is none when the file turns out larger than the limit", async () => {
    const { previews } = setup(
      { m1: attachment("https://files.example.org/a.png", null) },
      { fetchSmall: vi.fn(async () => null) },
    );
    expect(await previews.preview("acct", "bob", "m1")).toBeNull();
  });

  it("is never fetched when previews are off", async () => {
    const { previews, deps } = setup(
      { m1: attachment("https://files.example.org/a.png") },
      { maxPreviewBytes: 0 },
    );
    expect(await previews.preview("acct", "bob", "m1")).toBeNull();
    expect(deps.fetchSmall).not.toHaveBeenCalled();
    expect(deps.attachmentOf).not.toHaveBeenCalled();
  });

  it("is fetched once per URL, whether it was an image or not", async () => {
    const { previews, deps } = setup({
      image: attachment("https://files.example.org/a.png"),
      same: attachment("https://files.example.org/a.png"),
      text: attachment("https://files.example.org/a.txt"),
    });
    vi.mocked(deps.fetchSmall).mockImplementation(async (url) =>
      url.pathname.endsWith(".txt")
        ? { bytes: Buffer.from("text"), mediaType: null }
        : { bytes: PNG, mediaType: "image/png" },
    );
    const first = await previews.preview("acct", "bob", "image");
    expect(await previews.preview("acct", "bob", "same")).toEqual(first);
    expect(await previews.preview("acct", "bob", "text")).toBeNull();
    expect(await previews.preview("acct", "bob", "text")).toBeNull();
    expect(deps.fetchSmall).toHaveBeenCalledTimes(2);
  });

  it("that failed says why, readably, and is fetched again next time", async () => {
    const fetchSmall = vi
      .fn<FilePreviewDeps["fetchSmall"]>()
      .mockRejectedValueOnce(new FetchError("Wren could not reach the file's server."))
      .mockResolvedValueOnce({ bytes: PNG, mediaType: "image/png" });
    const { previews } = setup(
      { m1: attachment("https://files.example.org/a.png") },
      { fetchSmall },
    );
    const error = await previews.preview("acct", "bob", "m1").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect(error).toMatchObject({
      code: "not-available",
      message: "Wren could not reach the file's server.",
    });
    expect(await previews.preview("acct", "bob", "m1")).not.toBeNull();
    expect(fetchSmall).toHaveBeenCalledTimes(2);
  });

  it("is kept in memory up to a bound: the oldest is fetched again once it was let go", async () => {
    // 9 MiB of bytes, 12 MiB in base64: four fill the 48 MiB kept, a fifth lets the first go.
    const bytes = Buffer.alloc(9 * 1024 * 1024, 1);
    const messages = Object.fromEntries(
      [1, 2, 3, 4, 5].map((n) => [`m${n}`, attachment(`https://files.example.org/${n}.png`)]),
    );
    const fetchSmall = vi.fn(async (_url: URL, _options: FetchOptions & { maxBytes: number }) => ({
      bytes,
      mediaType: "image/png",
    }));
    const { previews } = setup(messages, { fetchSmall, maxPreviewBytes: bytes.length });
    for (const id of ["m1", "m2", "m3", "m4"]) await previews.preview("acct", "bob", id);
    await previews.preview("acct", "bob", "m1");
    expect(fetchSmall).toHaveBeenCalledTimes(4);
    await previews.preview("acct", "bob", "m5");
    await previews.preview("acct", "bob", "m2");
    expect(fetchSmall).toHaveBeenCalledTimes(5);
    await previews.preview("acct", "bob", "m1");
    expect(fetchSmall).toHaveBeenCalledTimes(6);
    expect(fetchSmall.mock.calls.map(([url]) => url.pathname)).toEqual([
      "/1.png",
      "/2.png",
      "/3.png",
      "/4.png",
      "/5.png",
      "/1.png",
    ]);
  });
});
