import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AccountState } from "../../main/core/account-state";
import { WrenError } from "../../main/shared/errors";
import { collect, eventually, sessionFor, sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";
import { inject } from "vitest";

// HTTP File Upload (XEP-0363) against Prosody's mod_http_file_share, served over HTTPS with the
// test certificate (trusted through NODE_EXTRA_CA_CERTS, never by turning verification off).

const server = inject("xmpp");
const pool = sessionPool();
let dir: string;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wren-upload-it-"));
  [alice, bob] = await Promise.all([
    registerAccount(server.configPath),
    registerAccount(server.configPath),
  ]);
});
afterEach(() => pool.stopAll());
afterAll(() => rm(dir, { recursive: true, force: true }));

async function online(account: TestAccount) {
  const state = new AccountState({ jid: account.jid, accountId: account.jid });
  const session = pool.track(sessionFor(account, { state }));
  await session.start();
  return Object.assign(state, { session });
}

async function fileOf(name: string, size: number) {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { bytes, file: { path, name, size, contentType: "application/octet-stream" } };
}

/** GETs `url` (https, verified): its status and body. */
function fetchBytes(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    }).on("error", reject);
  });
}

async function failure(promise: Promise<unknown>): Promise<WrenError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WrenError);
  return error as WrenError;
}

describe("uploading a file", () => {
  it("finds the server's upload service and its limit", async () => {
    const state = await online(alice);
    expect(await state.upload.service()).toEqual({ jid: "upload.localhost", maxBytes: 1_048_576 });
  });

  it("streams the file to the service, with progress, and it comes back byte for byte", async () => {
    const state = await online(alice);
    const { bytes, file } = await fileOf("photo of us.jpg", 700_000);
    const progress: number[] = [];
    const url = await state.upload.upload(file, { onProgress: (sent) => progress.push(sent) });

    expect(url).toMatch(new RegExp(`^https://localhost:${server.httpsPort}/`));
    expect(decodeURIComponent(url)).toContain("photo of us.jpg");
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(file.size);
    const fetched = await fetchBytes(url);
    expect(fetched.status).toBe(200);
    expect(fetched.body.equals(bytes)).toBe(true);
  });

  it("refuses a file over the service's limit before uploading anything, naming the limit", async () => {
    const state = await online(alice);
    const { file } = await fileOf("too big.bin", 1_048_577);
    const error = await failure(state.upload.upload(file));
    expect(error.code).toBe("file-too-large");
    expect(error.message).toBe("This file is 1 MB; your server takes files of at most 1 MB.");
  });

  it("stops when cancelled mid-way, and gives no URL to send", async () => {
    const state = await online(alice);
    const { file } = await fileOf("half.bin", 1_000_000);
    const cancel = new AbortController();
    let url: string | null = null;
    const upload = state.upload.upload(file, {
      signal: cancel.signal,
      onProgress: () => cancel.abort(),
    });
    const error = await failure(upload.then((got) => (url = got)));
    expect(error.code).toBe("cancelled");
    expect(url).toBeNull();
  });

  it("announces only the file's own name, without a path or hidden-file dot", async () => {
    const state = await online(alice);
    const { file } = await fileOf("plain.txt", 10);
    const url = await state.upload.upload({ ...file, name: "../../etc/.secret\u202Etxt.exe" });
    const name = decodeURIComponent(new URL(url).pathname.split("/").pop()!);
    expect(name).toBe("secrettxt.exe");
  });

  it("goes to the other account as a message carrying the file, which it can fetch", async () => {
    const [sender, receiver] = await Promise.all([online(alice), online(bob)]);
    const received = collect(receiver.session);
    const { bytes, file } = await fileOf("report.pdf", 50_000);
    const url = await sender.upload.upload(file);
    const sent = await sender.chat.sendFile(bob.jid, {
      url,
      name: "report.pdf",
      size: file.size,
      mediaType: "application/pdf",
    });
    expect(sent).toMatchObject({ body: url, attachment: { url, name: "report.pdf" } });

    await eventually(() => received.length === 1, "the message carrying the file");
    expect(received[0]).toMatchObject({
      peer: alice.jid,
      body: url,
      attachment: { url, name: "report.pdf", size: null, mediaType: null },
    });
    expect((await fetchBytes(received[0]!.attachment!.url)).body.equals(bytes)).toBe(true);
  });
});
