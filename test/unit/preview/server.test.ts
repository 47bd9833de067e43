import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { WrenEvent } from "../../../preload/contract";
import type { Dispatch } from "../../../main/api/dispatch";
import { startPreviewServer, type PreviewServer } from "../../../main/preview/server";
import { resolveStaticPath } from "../../../main/preview/static-files";

let server: PreviewServer;
let pushEvents: (events: WrenEvent[]) => void = () => {};
const calls: { name: string; args: unknown }[] = [];

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), "wren-preview-test-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Wren</title>");
  calls.length = 0;
  const dispatch: Dispatch = async (name, args) => {
    calls.push({ name, args });
    return { ok: true, value: "done" };
  };
  server = await startPreviewServer({
    port: 0,
    rendererDir: dir,
    dispatch,
    subscribe: (listener) => {
      pushEvents = listener;
      return () => {
        pushEvents = () => {};
      };
    },
  });
});

afterEach(() => server.close());

function parts() {
  const url = new URL(server.url);
  const token = new URLSearchParams(url.hash.slice(1)).get("token")!;
  return { origin: url.origin, token, socketUrl: `ws://${url.host}/bridge?token=${token}` };
}

/**
 * Sends `request` as raw bytes and resolves with everything the server answered once it closes the
 * connection (or switched protocols), or with what came so far after a second: a server that died,
 * or left the request hanging, answers nothing.
 */
function sendRaw(request: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(request));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, 1000);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      // An accepted upgrade stays open: its header block is the whole answer.
      if (/^HTTP\/1\.1 101 [^]*\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) done();
    });
    socket.on("close", done);
    socket.on("error", done);
  });
}

function statusOf(answer: string): number | null {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
  return match ? Number(match[1]) : null;
}

const UPGRADE_HEADERS =
  "Connection: Upgrade\r\nUpgrade: websocket\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

/** The server still serves the page and still accepts its own bridge. */
async function expectStillServing() {
  const { origin, socketUrl } = parts();
  expect((await fetch(`${origin}/`)).status).toBe(200);
  const socket = await open(socketUrl, origin);
  socket.close();
}

function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { origin });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("preview server", () => {
  it("prints a loopback URL with a long random token", () => {
    const { origin, token } = parts();
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token).toMatch(/^[0-9a-f]{48}$/);
  });

  it("serves the renderer with a CSP that allows only its own socket", async () => {
    const { origin } = parts();
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${origin.replace("http", "ws")}`);
    expect(await response.text()).toContain("<title>Wren</title>");
  });

  it("does not serve files outside the renderer folder", async () => {
    const { origin } = parts();
    expect((await fetch(`${origin}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect(resolveStaticPath("/srv/app", "/../etc/passwd")).toBeNull();
    expect(resolveStaticPath("/srv/app", "/..%2fetc/passwd")).toBeNull();
    expect(resolveStaticPath("/srv/app", "/a\\..\\b")).toBeNull();
    expect(resolveStaticPath("/srv/app", "/assets/x.js")).toBe("/srv/app/assets/x.js");
  });

  it("refuses a bridge connection with a wrong token", async () => {
    const { origin, socketUrl } = parts();
    await expect(open(socketUrl.replace(/token=.*/, "token=guess"), origin)).rejects.toThrow(/403/);
  });

  it("refuses a bridge connection from another origin", async () => {
    const { socketUrl } = parts();
    await expect(open(socketUrl, "http://evil.example")).rejects.toThrow(/403/);
  });

  it("carries commands and events for the right page", async () => {
    const { origin, socketUrl } = parts();
    const socket = await open(socketUrl, origin);
    const messages: unknown[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ id: 7, command: "snapshot", args: {} }));
    socket.send(JSON.stringify({ id: 8, command: "not-a-command", args: {} }));
    socket.send("not json");
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toEqual({ id: 7, envelope: { ok: true, value: "done" } });
    expect(calls).toEqual([{ name: "snapshot", args: {} }]);

    pushEvents([{ type: "subscription-request", accountId: "a1", jid: "bob@example.org" }]);
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[1]).toEqual({
      events: [{ type: "subscription-request", accountId: "a1", jid: "bob@example.org" }],
    });
    socket.close();
  });
});

describe("preview server, against malformed and misdirected requests", () => {
  const MALFORMED_TARGETS = [
    "http://[",
    "//[",
    "http://[::1",
    "http://a:99999/",
    "http://[/bridge",
  ];

  it.each(MALFORMED_TARGETS)("answers 400 to GET %s and keeps serving", async (target) => {
    const host = new URL(server.url).host;
    const answer = await sendRaw(
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(400);
    await expectStillServing();
  });

  it.each(MALFORMED_TARGETS)("refuses an upgrade to %s and keeps serving", async (target) => {
    const host = new URL(server.url).host;
    const answer = await sendRaw(
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${UPGRADE_HEADERS}\r\n`,
    );
    expect(statusOf(answer)).toBe(400);
    await expectStillServing();
  });

  it("survives the exact request of the report, with and without upgrade headers", async () => {
    expect(statusOf(await sendRaw("GET http://[ HTTP/1.1\r\n\r\n"))).toBe(400);
    // The status line is the answer, and no other can follow it: one came, and it is not 101.
    const upgrade = await sendRaw(`GET http://[ HTTP/1.1\r\n${UPGRADE_HEADERS}\r\n`);
    expect(statusOf(upgrade)).not.toBeNull();
    expect(upgrade).not.toMatch(/ 101 /);
    await expectStillServing();
  });

  it("serves its own address by name and number, and nothing else (DNS rebinding)", async () => {
    const { port } = new URL(server.url);
    const get = (host: string) =>
      sendRaw(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(await get(`127.0.0.1:${port}`))).toBe(200);
    expect(statusOf(await get(`localhost:${port}`))).toBe(200);
    expect(statusOf(await get(`LocalHost:${port}`))).toBe(200);
    for (const host of [
      `evil.example:${port}`,
      "evil.example",
      `127.0.0.1:${Number(port) + 1}`,
      "127.0.0.1",
      `127.0.0.1:${port}.evil.example`,
      `user@127.0.0.1:${port}`,
    ]) {
      const answer = await get(host);
      expect(statusOf(answer), host).toBe(421);
      expect(answer, host).not.toContain("<title>Wren</title>");
    }
    await expectStillServing();
  });

  it("refuses a bridge upgrade for another Host, even with the right token and origin", async () => {
    const { origin, token } = parts();
    const path = `/bridge?token=${token}`;
    const upgrade = (host: string) =>
      sendRaw(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\n${UPGRADE_HEADERS}\r\n`,
      );
    expect(statusOf(await upgrade("evil.example"))).toBe(421);
    expect(statusOf(await upgrade(new URL(server.url).host))).toBe(101);
    await expectStillServing();
  });
});
