import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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
 * fragment and the page's own Origin, so other local pages and processes cannot drive it.
 */
export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const host = options.host ?? "127.0.0.1";
  const token = randomBytes(24).toString("hex");
  const log = options.log ?? (() => {});
  let origin = "";

  const http = createServer((request, response) => {
    void serveStatic(options.rendererDir, origin, request, response);
  });
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_REQUEST_BYTES,
  });

  http.on("upgrade", (request, socket, head) => {
    const url = new URL(request.url ?? "/", origin);
    if (
      url.pathname !== PREVIEW_BRIDGE_PATH ||
      request.headers.origin !== origin ||
      !tokensMatch(url.searchParams.get("token") ?? "", token)
    ) {
      log("preview: refused a bridge connection (wrong path, origin or token)");
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveBridge(ws, options, log));
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  origin = `http://${host}:${port}`;

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
    void options.dispatch(request.command, request.args).then((envelope) => {
      send({ id: request.id, envelope });
    });
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
    return null;
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
  request: IncomingMessage,
  response: ServerResponse,
) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405).end();
    return;
  }
  const pathname = new URL(request.url ?? "/", origin).pathname;
  const file = await readStaticFile(rendererDir, pathname);
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

/** The app's policy, plus the one WebSocket the preview bridge needs. */
function previewCsp(origin: string): string {
  return contentSecurityPolicy([origin.replace(/^http/, "ws")]);
}
