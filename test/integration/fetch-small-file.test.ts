import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FetchError, fetchSmallFile } from "../../main/files/fetch-file";
import { ensureTestCertificates } from "../setup/certs";

// Fetching a small file into memory, as Wren does for an image's preview, from a scripted https
// server (trusted through the test CA) that announces sizes, hides them, lies about them, and
// stops half-way.

const MAX = 1000;
const PNG = Buffer.concat([
  Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex"),
  Buffer.alloc(100, 7),
]);
const GIF = Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(50, 1)]);
let hostile: Server;
let hostilePort: number;
/** Resolved by /slow once its first bytes are out. */
let slowStarted: () => void = () => undefined;

beforeAll(async () => {
  const certs = ensureTestCertificates();
  const [cert, key] = await Promise.all([readFile(certs.certPath), readFile(certs.keyPath)]);
  hostile = createServer({ cert, key }, (request, response) => {
    const at = (path: string) => `https://localhost:${hostilePort}${path}`;
    switch (request.url) {
      case "/small.png":
        response.writeHead(200, { "Content-Type": "image/png", "Content-Length": PNG.length });
        return void response.end(PNG);
      case "/exact.png": {
        const exact = Buffer.concat([PNG, Buffer.alloc(MAX - PNG.length, 3)]);
        response.writeHead(200, { "Content-Type": "image/png", "Content-Length": exact.length });
        return void response.end(exact);
      }
      case "/chunked.gif":
        // No Content-Length: the size is learnt as the bytes arrive.
        response.writeHead(200, { "Content-Type": "image/gif" });
        response.write(GIF.subarray(0, 10));
        return void response.end(GIF.subarray(10));
      case "/announced-big":
        response.writeHead(200, { "Content-Type": "image/png", "Content-Length": MAX + 1 });
        return void response.end(Buffer.concat([PNG, Buffer.alloc(MAX + 1 - PNG.length)]));
      case "/endless":
        response.writeHead(200, { "Content-Type": "image/png" });
        response.write(PNG);
        for (let i = 0; i < 64; i++) response.write(randomBytes(64 * 1024));
        return void response.end();
      case "/one-too-many":
        response.writeHead(200, { "Content-Type": "image/png" });
        response.write(PNG);
        return void response.end(Buffer.alloc(MAX + 1 - PNG.length));
      case "/text-said-png":
        // The header says an image; the bytes say otherwise.
        response.writeHead(200, { "Content-Type": "image/png", "Content-Length": 11 });
        return void response.end("hello world");
      case "/short":
        // Announces more than it sends, then hangs up.
        response.writeHead(200, { "Content-Type": "image/png", "Content-Length": 500 });
        response.write(PNG);
        setTimeout(() => response.socket?.destroy(), 50);
        return;
      case "/slow":
        response.writeHead(200, { "Content-Type": "image/png", "Content-Length": 500 });
        response.write(PNG, () => slowStarted());
        return;
      case "/to-small":
        response.writeHead(302, { Location: "/small.png" });
        return void response.end();
      case "/to-http":
        response.writeHead(302, { Location: `http://localhost:${hostilePort}/small.png` });
        return void response.end();
      case "/loop":
        response.writeHead(307, { Location: at("/loop") });
        return void response.end();
      case "/denied":
        response.writeHead(403);
        return void response.end();
      default:
        response.writeHead(404);
        response.end();
    }
  });
  await new Promise<void>((done) => hostile.listen(0, "127.0.0.1", done));
  hostilePort = (hostile.address() as { port: number }).port;
});
afterAll(async () => {
  hostile.closeAllConnections();
  await new Promise((done) => hostile.close(done));
});

const at = (path: string) => new URL(`https://localhost:${hostilePort}${path}`);
const options = { ownServer: "localhost", maxBytes: MAX };

async function failure(path: string, extra: Partial<typeof options> = {}): Promise<unknown> {
  return fetchSmallFile(at(path), { ...options, ...extra }).then(
    () => {
      throw new Error(`${path} was fetched`);
    },
    (error: unknown) => error,
  );
}

describe("fetching a small file", () => {
  it("gives its bytes and the type they are, with or without an announced size", async () => {
    expect(await fetchSmallFile(at("/small.png"), options)).toEqual({
      bytes: PNG,
      mediaType: "image/png",
    });
    expect(await fetchSmallFile(at("/chunked.gif"), options)).toEqual({
      bytes: GIF,
      mediaType: "image/gif",
    });
  });

  it("takes a file of exactly the size it may", async () => {
    const fetched = await fetchSmallFile(at("/exact.png"), options);
    expect(fetched?.bytes).toHaveLength(MAX);
    expect(fetched?.mediaType).toBe("image/png");
  });

  it("is none for a larger file, announced or learnt as it arrives", async () => {
    expect(await fetchSmallFile(at("/announced-big"), options)).toBeNull();
    expect(await fetchSmallFile(at("/endless"), options)).toBeNull();
    expect(await fetchSmallFile(at("/one-too-many"), options)).toBeNull();
    // The same files are fetched when they may be larger.
    expect(
      (await fetchSmallFile(at("/one-too-many"), { ...options, maxBytes: MAX + 1 }))?.bytes,
    ).toHaveLength(MAX + 1);
  });

  it("says what the bytes are, not what the server claims", async () => {
    expect(await fetchSmallFile(at("/text-said-png"), options)).toEqual({
      bytes: Buffer.from("hello world"),
      mediaType: null,
    });
  });

  it("follows https redirects, and no other", async () => {
    expect((await fetchSmallFile(at("/to-small"), options))?.bytes).toEqual(PNG);
    const refusals: [string, string][] = [
      ["/to-http", "Wren only fetches files over https."],
      ["/loop", "The file's server redirected too many times."],
      ["/gone", "The file is no longer there."],
      ["/denied", "The file's server refused access."],
    ];
    for (const [path, message] of refusals) {
      const error = await failure(path);
      expect(error, path).toBeInstanceOf(FetchError);
      expect((error as Error).message, path).toBe(message);
    }
  });

  it("refuses a server on this computer that is not the account's own", async () => {
    const error = await failure("/small.png", { ownServer: "example.org" });
    expect(error).toBeInstanceOf(FetchError);
    expect((error as Error).message).toBe(
      "The file's address points into your own network; Wren does not fetch it.",
    );
  });

  it("fails in words when the server hangs up before the end", async () => {
    const error = await failure("/short");
    expect(error).toBeInstanceOf(FetchError);
  });

  it("stops when cancelled, with the reason it was cancelled for", async () => {
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const fetching = fetchSmallFile(at("/slow"), { ...options, signal: controller.signal });
    await started;
    const reason = new Error("cancelled by the test");
    controller.abort(reason);
    await expect(fetching).rejects.toBe(reason);
  });
});
