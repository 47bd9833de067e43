import { randomBytes } from "node:crypto";
import { readdir, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { AccountState } from "../../main/core/account-state";
import { downloadFile, FetchError, headFile } from "../../main/files/fetch-file";
import { ensureTestCertificates } from "../setup/certs";
import { sessionFor, sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";

// Fetching files as Wren does for a file a message carries: from Prosody's upload service (the
// account's own server, on loopback), and from a scripted https server that tries redirects to
// http, into the local network, in circles, and more bytes than it announced.

const server = inject("xmpp");
const pool = sessionPool();
const GIF = Buffer.from("GIF89a");
let dir: string;
let alice: TestAccount;
let hostile: Server;
let hostilePort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-download-it-"));
  alice = await registerAccount(server.configPath);
  const certs = ensureTestCertificates();
  const [cert, key] = await Promise.all([readFile(certs.certPath), readFile(certs.keyPath)]);
  hostile = createServer({ cert, key }, (request, response) => {
    const at = (path: string) => `https://localhost:${hostilePort}${path}`;
    switch (request.url) {
      case "/file.bin":
        response.writeHead(200, {
          "Content-Type": "application/octet-stream",
          "Content-Length": 4,
        });
        response.end("abcd");
        return;
      case "/to-file":
        response.writeHead(302, { Location: "/file.bin" });
        return void response.end();
      case "/to-http":
        response.writeHead(302, { Location: `http://localhost:${hostilePort}/file.bin` });
        return void response.end();
      case "/to-ip":
        response.writeHead(301, { Location: `https://127.0.0.1:${hostilePort}/file.bin` });
        return void response.end();
      case "/loop":
        response.writeHead(307, { Location: at("/loop") });
        return void response.end();
      case "/endless":
        // No Content-Length: it sends until stopped.
        response.writeHead(200, { "Content-Type": "application/octet-stream" });
        for (let i = 0; i < 64; i++) response.write(randomBytes(64 * 1024));
        return void response.end();
      default:
        response.writeHead(404);
        response.end();
    }
  });
  await new Promise<void>((done) => hostile.listen(0, "127.0.0.1", done));
  hostilePort = (hostile.address() as { port: number }).port;
});
afterEach(() => pool.stopAll());
afterAll(async () => {
  await new Promise((done) => hostile.close(done));
  await rm(dir, { recursive: true, force: true });
});

async function uploaded(name: string, bytes: Buffer): Promise<URL> {
  const state = new AccountState({ jid: alice.jid, accountId: alice.jid });
  await pool.track(sessionFor(alice, { state })).start();
  const path = join(dir, `source-${randomBytes(4).toString("hex")}`);
  await writeFile(path, bytes);
  return new URL(
    await state.upload.upload({ path, name, size: bytes.length, contentType: "image/gif" }),
  );
}

const options = (folder: string) => ({
  ownServer: "localhost",
  dir: folder,
  maxBytes: 1_000_000,
});

async function freshFolder(): Promise<string> {
  return mkdtemp(join(dir, "downloads-"));
}

describe("downloading a file", () => {
  it("learns its size and type first, then saves it byte for byte, never over another", async () => {
    const bytes = Buffer.concat([GIF, randomBytes(20_000)]);
    const url = await uploaded("holiday.gif", bytes);
    expect(await headFile(url, { ownServer: "localhost" })).toEqual({
      url,
      size: bytes.length,
      mediaType: "image/gif",
    });

    const folder = await freshFolder();
    const progress: number[] = [];
    const first = await downloadFile(url, {
      ...options(folder),
      name: "holiday.gif",
      onProgress: (received) => progress.push(received),
    });
    expect(first).toEqual({
      path: join(folder, "holiday.gif"),
      size: bytes.length,
      mediaType: "image/gif",
    });
    expect((await readFile(first.path)).equals(bytes)).toBe(true);
    expect(progress.at(-1)).toBe(bytes.length);

    const second = await downloadFile(url, { ...options(folder), name: "holiday.gif" });
    expect(second.path).toBe(join(folder, "holiday (1).gif"));
    expect((await readdir(folder)).sort()).toEqual(["holiday (1).gif", "holiday.gif"]);
  });

  it("saves under a safe name that says what the bytes are", async () => {
    const url = await uploaded("x.gif", Buffer.concat([GIF, randomBytes(100)]));
    const folder = await freshFolder();
    const saved = await downloadFile(url, { ...options(folder), name: "../.invoice.pdf" });
    expect(saved.path).toBe(join(folder, "invoice.pdf.gif"));
  });

  it("stops at the size it may take, and leaves nothing behind", async () => {
    const url = await uploaded("big.gif", Buffer.concat([GIF, randomBytes(50_000)]));
    const folder = await freshFolder();
    await expect(
      downloadFile(url, { ...options(folder), maxBytes: 10_000, name: "big.gif" }),
    ).rejects.toThrow("The file is larger than Wren downloads.");
    const endless = new URL(`https://localhost:${hostilePort}/endless`);
    await expect(
      downloadFile(endless, { ...options(folder), maxBytes: 100_000, name: "endless.bin" }),
    ).rejects.toThrow("The server sent more than it announced; the download was stopped.");
    expect(await readdir(folder)).toEqual([]);
  });

  it("follows https redirects on the same terms, and no other", async () => {
    const folder = await freshFolder();
    const at = (path: string) => new URL(`https://localhost:${hostilePort}${path}`);
    const saved = await downloadFile(at("/to-file"), { ...options(folder), name: "file.bin" });
    expect(await readFile(saved.path, "utf8")).toBe("abcd");

    const refusals: [string, string][] = [
      ["/to-http", "Wren only fetches files over https."],
      ["/to-ip", "The file's address points into your own network; Wren does not fetch it."],
      ["/loop", "The file's server redirected too many times."],
      ["/gone", "The file is no longer there."],
    ];
    for (const [path, message] of refusals) {
      const error = await downloadFile(at(path), { ...options(folder), name: "x" }).catch(
        (caught: unknown) => caught,
      );
      expect(error, path).toBeInstanceOf(FetchError);
      expect((error as Error).message, path).toBe(message);
    }
    expect(await readdir(folder)).toEqual(["file.bin"]);
  });

  it("refuses a server on this computer that is not the account's own", async () => {
    const error = await headFile(new URL(`https://localhost:${hostilePort}/file.bin`), {
      ownServer: "example.org",
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      "The file's address points into your own network; Wren does not fetch it.",
    );
  });
});
