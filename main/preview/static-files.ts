import { readFile } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { errorName } from "../shared/errors";
import { createLogger } from "../shared/log";

const log = createLogger("preview/static");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

/** The file under `root` that a URL path names, or null when the path tries to leave `root`. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding: a 404 like any other bad path
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const relative = decoded === "/" || decoded === "" ? "index.html" : decoded.replace(/^\/+/, "");
  const base = resolve(root);
  const target = resolve(base, relative);
  return target.startsWith(base + sep) ? target : null;
}

export async function readStaticFile(
  root: string,
  urlPath: string,
): Promise<{ body: Buffer; contentType: string } | null> {
  const path = resolveStaticPath(root, urlPath);
  if (!path) return null;
  try {
    const body = await readFile(path);
    return { body, contentType: CONTENT_TYPES[extname(path)] ?? "application/octet-stream" };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    // No such file is an ordinary 404; anything else (no permission, I/O) is worth a line.
    if (code !== "ENOENT" && code !== "EISDIR" && code !== "ENOTDIR") {
      log.warn("could not read a renderer file", { path, code, error: errorName(error) });
    }
    return null;
  }
}
