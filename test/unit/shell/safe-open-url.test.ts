import "./quiet-log";
import { describe, expect, it, vi } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import {
  createSafeOpenUrl,
  externalUrl,
  MAX_EXTERNAL_URL_LENGTH,
} from "../../../main/safe-open-url";

describe("externalUrl", () => {
  it.each([
    ["https://example.org/a?b=c#d", "https://example.org/a?b=c#d"],
    ["http://example.org", "http://example.org/"],
    ["HTTPS://Example.ORG/x", "https://example.org/x"],
    ["mailto:alice@example.org?subject=hi", "mailto:alice@example.org?subject=hi"],
  ])("lets %s through as %s", (raw, expected) => {
    expect(externalUrl(raw)).toBe(expected);
  });

  it.each([
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "app://wren/index.html",
    "xmpp:alice@example.org",
    "smb://server/share",
    "ms-msdt:/id PCWDiagnostic",
    "vbscript:msgbox",
    "https://user:pass@example.org/",
    "https://user@example.org/",
    "mailto:",
    "not a url",
    "",
    "//example.org/",
  ])("refuses %s", (raw) => {
    expect(externalUrl(raw)).toBeNull();
  });

  it("refuses URLs longer than the limit, accepts ones at it", () => {
    const base = "https://example.org/";
    const atLimit = base + "a".repeat(MAX_EXTERNAL_URL_LENGTH - base.length);
    expect(externalUrl(atLimit)).toBe(atLimit);
    expect(externalUrl(atLimit + "a")).toBeNull();
  });
});

describe("createSafeOpenUrl", () => {
  it("hands the normalised URL to the shell", async () => {
    const shellOpen = vi.fn(async () => {});
    await createSafeOpenUrl(shellOpen)("HTTPS://Example.org/path");
    expect(shellOpen).toHaveBeenCalledExactlyOnceWith("https://example.org/path");
  });

  it("rejects refused URLs with a user-facing error and never calls the shell", async () => {
    const shellOpen = vi.fn(async () => {});
    const open = createSafeOpenUrl(shellOpen);
    await expect(open("file:///etc/passwd")).rejects.toMatchObject({
      name: "WrenError",
      code: "invalid-argument",
    });
    await expect(open("javascript:alert(1)")).rejects.toBeInstanceOf(WrenError);
    expect(shellOpen).not.toHaveBeenCalled();
  });

  it("turns a shell failure into not-available", async () => {
    const open = createSafeOpenUrl(async () => {
      throw new Error("no handler for scheme");
    });
    await expect(open("mailto:bob@example.org")).rejects.toMatchObject({ code: "not-available" });
  });
});
