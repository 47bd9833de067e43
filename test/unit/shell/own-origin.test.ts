import { describe, expect, it } from "vitest";
import { createOwnUrlCheck, originOf } from "../../../main/own-origin";

describe("originOf", () => {
  it("computes scheme://host[:port], also for the app scheme Node calls opaque", () => {
    expect(new URL("app://wren/x").origin).toBe("null"); // why originOf exists
    expect(originOf("app://wren/index.html")).toBe("app://wren");
    expect(originOf("http://localhost:5173/src/main.ts")).toBe("http://localhost:5173");
    expect(originOf("HTTPS://Example.org:443/")).toBe("https://example.org");
  });

  it("has no origin for URLs without a host", () => {
    for (const url of [
      "javascript:alert(1)",
      "data:text/html,x",
      "about:blank",
      "mailto:a@b",
      "x",
    ]) {
      expect(originOf(url), url).toBeNull();
    }
  });
});

describe("createOwnUrlCheck", () => {
  const isOwn = createOwnUrlCheck(["app://wren", "http://localhost:5173/"]);

  it("matches only the listed origins exactly", () => {
    expect(isOwn("app://wren/index.html")).toBe(true);
    expect(isOwn("http://localhost:5173/")).toBe(true);
    expect(isOwn("http://localhost:5174/")).toBe(false);
    expect(isOwn("https://localhost:5173/")).toBe(false);
    expect(isOwn("app://wrenx/")).toBe(false);
    expect(isOwn("app://evil@wren/")).toBe(true); // userinfo is not part of the origin
    expect(isOwn("about:blank")).toBe(false);
  });
});
