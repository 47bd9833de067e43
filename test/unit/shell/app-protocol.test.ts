import "./quiet-log";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  APP_ENTRY_URL,
  contentTypeFor,
  createAppProtocolHandler,
  readAppFile,
  resolveAppPath,
} from "../../../main/app-protocol";
import { CONTENT_SECURITY_POLICY } from "../../../main/csp";

const root = join(tmpdir(), "wren-renderer-root");

function get(url: string) {
  return { url, method: "GET" };
}

describe("resolveAppPath", () => {
  it("maps app://wren paths to files below the root", () => {
    expect(resolveAppPath(root, "app://wren/index.html")).toBe(join(root, "index.html"));
    expect(resolveAppPath(root, "app://wren/assets/index-abc.js")).toBe(
      join(root, "assets", "index-abc.js"),
    );
    expect(resolveAppPath(root, "app://wren/assets/a%20b.png")).toBe(
      join(root, "assets", "a b.png"),
    );
  });

  it("serves index.html for the bare origin", () => {
    expect(resolveAppPath(root, "app://wren")).toBe(join(root, "index.html"));
    expect(resolveAppPath(root, "app://wren/")).toBe(join(root, "index.html"));
  });

  it("ignores query and fragment", () => {
    expect(resolveAppPath(root, "app://wren/index.html?x=1#y")).toBe(join(root, "index.html"));
  });

  it.each([
    "app://wren/..%2f..%2fetc%2fpasswd",
    "app://wren/%2e%2e%2f%2e%2e%2fsecret",
    "app://wren/assets/..%5c..%5csecret",
    "app://wren/assets\\..\\..\\secret",
    "app://wren/%2fetc%2fpasswd",
    "app://wren//etc/passwd",
    "app://wren/C:%5cWindows%5cwin.ini",
    "app://wren/index.html%00.png",
    "app://wren/%E0%A4%A", // malformed percent-encoding
    "app://wren/assets/",
    "app://other/index.html",
    "https://wren/index.html",
    "file:///etc/passwd",
    "not a url",
  ])("refuses %s", (url) => {
    expect(resolveAppPath(root, url)).toBeNull();
  });

  it.each(["app://wren/a/../../../etc/passwd", "app://wren/a/%2e%2e/%2E%2e/%2e./etc/passwd"])(
    "keeps %s inside the root when the URL parser folds its dot segments",
    (url) => {
      // Like Chromium, the URL parser resolves "..", "%2e%2e" and ".%2e" against the origin's root.
      expect(resolveAppPath(root, url)).toBe(join(root, "etc", "passwd"));
    },
  );
});

describe("contentTypeFor", () => {
  it.each([
    ["index.html", "text/html; charset=utf-8"],
    ["a.js", "text/javascript; charset=utf-8"],
    ["a.CSS", "text/css; charset=utf-8"],
    ["a.svg", "image/svg+xml"],
    ["a.woff2", "font/woff2"],
    ["a.json", "application/json; charset=utf-8"],
    ["a.unknown", "application/octet-stream"],
    ["noext", "application/octet-stream"],
  ])("%s → %s", (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});

describe("createAppProtocolHandler", () => {
  const files = new Map<string, string>([
    [join(root, "index.html"), "<!doctype html><title>Wren</title>"],
    [join(root, "assets", "index.js"), "console.log(1)"],
    [join(root, "assets", "index.css"), "body{}"],
  ]);
  const readFile = vi.fn(async (path: string) => {
    const text = files.get(path);
    return text === undefined ? null : new TextEncoder().encode(text);
  });
  const handle = createAppProtocolHandler({ root, readFile });

  it("serves the entry page with its content type and the CSP header", async () => {
    const response = await handle(get(APP_ENTRY_URL));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toBe("<!doctype html><title>Wren</title>");
  });

  it("serves scripts and styles with their types", async () => {
    const script = await handle(get("app://wren/assets/index.js"));
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toBe("console.log(1)");
    const style = await handle(get("app://wren/assets/index.css"));
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers traversal with 404 without reading anything", async () => {
    readFile.mockClear();
    for (const url of [
      "app://wren/..%2f..%2fetc%2fpasswd",
      "app://wren/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "app://wren/assets%5c..%5c..%5csecret",
    ]) {
      const response = await handle(get(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(readFile).not.toHaveBeenCalled();
  });

  it("answers a missing file with 404", async () => {
    expect((await handle(get("app://wren/nope.js"))).status).toBe(404);
  });

  it("answers HEAD without a body and refuses other methods", async () => {
    const head = await handle({ url: APP_ENTRY_URL, method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await handle({ url: APP_ENTRY_URL, method: "POST" });
    expect(post.status).toBe(405);
  });

  it("answers a read failure with 500", async () => {
    const failing = createAppProtocolHandler({
      root,
      readFile: async () => {
        throw Object.assign(new Error("EACCES"), { code: "EACCES" });
      },
    });
    expect((await failing(get(APP_ENTRY_URL))).status).toBe(500);
  });
});

describe("readAppFile on a real folder", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-app-protocol-"));
    await mkdir(join(dir, "renderer", "assets"), { recursive: true });
    await writeFile(join(dir, "renderer", "index.html"), "hello");
    await writeFile(join(dir, "secret.txt"), "do not serve");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("serves files inside the root, 404s directories, missing files and files beside the root", async () => {
    const handle = createAppProtocolHandler({ root: join(dir, "renderer") });
    expect(await (await handle(get("app://wren/index.html"))).text()).toBe("hello");
    expect((await handle(get("app://wren/assets"))).status).toBe(404);
    expect((await handle(get("app://wren/missing.html"))).status).toBe(404);
    expect((await handle(get("app://wren/..%2fsecret.txt"))).status).toBe(404);
    expect(await readAppFile(join(dir, "nothing"))).toBeNull();
  });
});
