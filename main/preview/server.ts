import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { commandNames, type CommandName, type WrenEvent } from "../../preload/contract";
import type { PreviewRequest, PreviewServerMessage } from "../../preload/contract/preview-protocol";
import { PREVIEW_BRIDGE_PATH } from "../../preload/contract/preview-protocol";
import type { Dispatch } from "../api/dispatch";
import { contentSecurityPolicy } from "../csp";
import { readStaticFile } from "./static-files";

export interface PreviewServerOptions {
  host?: string;
  port: number;
  rendererDir: string;
  dispatch: Dispatch;
  subscribe: (listener: (events: WrenEvent[]) => void) => () => void;
  log?: (line: string) => void;
}

export interface PreviewServer {
  url: string;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * Serves the built renderer and carries the WrenApi contract over a WebSocket, so the real core can
 * be driven from a browser. Loopback only; the socket demands the random token from the page's URL
 * fragment and the page's own Origin, so other local pages and processes cannot drive it. Every
 * request must name the server's own address in its Host header, so a page whose name was rebound
 * to 127.0.0.1 (DNS rebinding) cannot read the renderer either. Nothing a client sends may stop it.
 */
export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const host = options.host ?? "127.0.0.1";
  const token = randomBytes(24).toString("hex");
  const log = options.log ?? (() => {});
  let origin = "";
  /** Host headers that name this server, lower case; set once it listens. */
  let ownHosts = new Set<string>();
  const isOwnHost = (request: IncomingMessage) =>
    ownHosts.has((request.headers.host ?? "").toLowerCase());

  const http = createServer((request, response) => {
    serveStatic(options.rendererDir, origin, isOwnHost(request), request, response).catch(
      (error: unknown) => {
        log(`preview: a request failed: ${errorText(error)}`);
        if (response.headersSent) response.destroy();
        else response.writeHead(500, { Connection: "close" }).end();
      },
    );
  });
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_REQUEST_BYTES,
  });

  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node gives an upgraded socket no error listener: without one, a reset would throw.
    socket.on("error", (error) => log(`preview: upgrade socket error: ${error.message}`));
    try {
      if (!isOwnHost(request)) {
        log("preview: refused a bridge connection for another host");
        refuseUpgrade(socket, 421);
        return;
      }
      const target = parseTarget(request.url);
      if (!target) {
        log("preview: refused a bridge connection with a malformed request target");
        refuseUpgrade(socket, 400);
        return;
      }
      if (
        target.pathname !== PREVIEW_BRIDGE_PATH ||
        request.headers.origin !== origin ||
        !tokensMatch(target.query.get("token") ?? "", token)
      ) {
        log("preview: refused a bridge connection (wrong path, origin or token)");
        refuseUpgrade(socket, 403);
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => serveBridge(ws, options, log));
    } catch (error) {
      log(`preview: a bridge connection failed: ${errorText(error)}`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  http.on("error", (error) => log(`preview: server error: ${error.message}`));
  const { port } = http.address() as AddressInfo;
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  origin = `http://${authority}`;
  ownHosts = new Set([authority, `127.0.0.1:${port}`, `localhost:${port}`]);

  return {
    url: `${origin}/#token=${token}`,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function serveBridge(ws: WebSocket, options: PreviewServerOptions, log: (line: string) => void) {
  const send = (message: PreviewServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = options.subscribe((events) => send({ events }));
  ws.on("close", unsubscribe);
  ws.on("error", (error) => log(`preview: bridge socket error: ${error.message}`));
  ws.on("message", (data) => {
    const request = parseRequest(String(data));
    if (!request) {
      log("preview: dropped a malformed bridge request");
      return;
    }
    options
      .dispatch(request.command, request.args)
      .then((envelope) => send({ id: request.id, envelope }))
      .catch((error: unknown) => log(`preview: a bridge request failed: ${errorText(error)}`));
  });
}

function parseRequest(text: string): PreviewRequest | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { id, command, args } = value as Record<string, unknown>;
    if (typeof id !== "number" || !Number.isSafeInteger(id)) return null;
    if (typeof command !== "string" || !commandNames.includes(command as CommandName)) return null;
    return { id, command: command as CommandName, args };
  } catch {
    return null; // not JSON: the caller drops it and says so
  }
}

function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(
  rendererDir: string,
  origin: string,
  ownHost: boolean,
  request: IncomingMessage,
  response: ServerResponse,
) {
  if (!ownHost) {
    answer(response, 421);
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405).end();
    return;
  }
  const target = parseTarget(request.url);
  if (!target) {
    answer(response, 400);
    return;
  }
  const file = await readStaticFile(rendererDir, target.pathname);
  if (!file) {
    response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
    return;
  }
  response
    .writeHead(200, {
      "Content-Type": file.contentType,
      "Content-Security-Policy": previewCsp(origin),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    })
    .end(request.method === "HEAD" ? undefined : file.body);
}

/**
 * The path and query of an origin-form request target ("/path?query"), split by hand: a URL parser
 * would read "//host/…" or "http://[" as an address (or throw on it). Anything else is null.
 */
function parseTarget(raw: string | undefined): { pathname: string; query: URLSearchParams } | null {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//")) return null;
  const question = raw.indexOf("?");
  if (question === -1) return { pathname: raw, query: new URLSearchParams() };
  return {
    pathname: raw.slice(0, question),
    query: new URLSearchParams(raw.slice(question + 1)),
  };
}

/** An error status with its reason as the body, and the connection closed after it. */
function answer(response: ServerResponse, status: number) {
  response
    .writeHead(status, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" })
    .end(STATUS_CODES[status]);
}

function refuseUpgrade(socket: Duplex, status: number) {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The app's policy, plus the one WebSocket the preview bridge needs. */
function previewCsp(origin: string): string {
  return contentSecurityPolicy([origin.replace(/^http/, "ws")]);
}
