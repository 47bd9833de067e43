import { readFile } from "node:fs/promises";
import { extname, isAbsolute, join, relative, sep } from "node:path";
import type { CustomScheme } from "electron";
import { CONTENT_SECURITY_POLICY } from "./csp";
import { createLogger } from "./shared/log";

const log = createLogger("app/protocol");

export const APP_SCHEME = "app";
export const APP_HOST = "wren";
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before `ready`. standard: real origin, relative URLs and localStorage work; secure:
 * counts as a secure context; supportFetchAPI: module scripts load. Not corsEnabled: no other origin
 * may read from it.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** Reads a file, or resolves null when there is no file to serve (missing, a directory). */
export type ReadAppFile = (absolutePath: string) => Promise<Uint8Array | null>;

export const readAppFile: ReadAppFile = async (absolutePath) => {
  try {
    return await readFile(absolutePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return null;
    throw error;
  }
};

/**
 * The file inside `root` that an app:// URL names, or null when the URL is not ours or tries to leave
 * `root`. Chromium already folds `..` out of standard URLs; this does not rely on it, and also refuses
 * encoded separators and dots, backslashes, NUL and drive letters after decoding.
 */
export function resolveAppPath(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null; // not a URL: refused (and logged) like any other
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;

  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (path === "" || path === "/") path = "/index.html";
  if (/[\\\0:]/.test(path)) return null;
  const segments = path.split("/").slice(1);
  if (segments.some((segment) => segment === "" || segment === "." || segment === ".."))
    return null;

  const file = join(root, ...segments);
  const inside = relative(root, file);
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
    return null;
  }
  return file;
}

/** Headers every app:// response carries. */
export function securityHeaders(): Record<string, string> {
  return {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Referrer-Policy": "no-referrer",
  };
}

/**
 * The `protocol.handle("app", …)` handler: serves the built renderer from `root` (out/renderer)
 * read-only. Anything that is not a plain file below `root` is a 404.
 */
export function createAppProtocolHandler(options: {
  root: string;
  readFile?: ReadAppFile;
}): (request: Pick<Request, "url" | "method">) => Promise<Response> {
  const read = options.readFile ?? readAppFile;
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return plain(405, "Method Not Allowed", { Allow: "GET, HEAD" });
    }
    const file = resolveAppPath(options.root, request.url);
    if (file === null) {
      log.warn("refused app:// request", { url: request.url.slice(0, 300) });
      return plain(404, "Not Found");
    }
    let body: Uint8Array | null;
    try {
      body = await read(file);
    } catch (error) {
      log.error("could not read a renderer file", { file }, error);
      return plain(500, "Internal Server Error");
    }
    if (body === null) return plain(404, "Not Found");
    const headers = {
      ...securityHeaders(),
      "Content-Type": contentTypeFor(file),
      "Content-Length": String(body.byteLength),
      "Cache-Control": "no-cache",
    };
    return new Response(request.method === "HEAD" ? null : body, { status: 200, headers });
  };
}

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { ...securityHeaders(), "Content-Type": "text/plain; charset=utf-8", ...extra },
  });
}
