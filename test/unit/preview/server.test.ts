import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
