import "./quiet-log";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import { configureLogging } from "../../../main/shared/log";
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

  it("refuses URLs carrying bidirectional controls, which could disguise them", () => {
    for (const raw of [
      "https://example.org/\u202egpj.exe",
      "https://example.org/a\u2066b",
      "mailto:a\u200f@example.org",
      "https://example.org/?q=\u061c",
    ]) {
      expect(externalUrl(raw)).toBeNull();
    }
  });

  it("refuses URLs longer than the limit, accepts ones at it", () => {
    const base = "https://example.org/";
    const atLimit = base + "a".repeat(MAX_EXTERNAL_URL_LENGTH - base.length);
    expect(externalUrl(atLimit)).toBe(atLimit);
    expect(externalUrl(atLimit + "a")).toBeNull();
  });
});

describe("externalUrl and mailto fields", () => {
  it("keeps only to, cc, subject and body, matched case-insensitively", () => {
    expect(
      externalUrl(
        "mailto:a@example.org,b@example.org?Subject=Hi&attach=/etc/passwd&BODY=x&Attach=y" +
          "&%61ttach=z&attachment=~/.ssh/id_rsa&bcc=c@example.org&cc=d@example.org&TO=e@example.org" +
          "&X-Foo=1&in-reply-to=%3Cid%3E",
      ),
    ).toBe(
      "mailto:a@example.org,b@example.org?Subject=Hi&BODY=x&cc=d@example.org&TO=e@example.org",
    );
  });

  it("drops an emptied query and the fragment, keeping the address", () => {
    expect(externalUrl("mailto:a@example.org?attach=/etc/passwd")).toBe("mailto:a@example.org");
    expect(externalUrl("mailto:a@example.org#attach=x")).toBe("mailto:a@example.org");
    expect(externalUrl("mailto:a@example.org?body=a?attach=x")).toBe(
      "mailto:a@example.org?body=a%3Fattach=x",
    );
  });

  it("leaves the query of web URLs alone", () => {
    expect(externalUrl("https://example.org/?attach=x")).toBe("https://example.org/?attach=x");
  });
});

describe("createSafeOpenUrl", () => {
  const lines: string[] = [];
  const captureLog = () => configureLogging({ sinks: [{ write: (line) => lines.push(line) }] });
  afterEach(() => {
    lines.length = 0;
    configureLogging({ sinks: [] });
  });

  it.each([
    ["credentials", "https://alice:hunter2@example.org/private?token=t0k", "https://example.org"],
    [
      "a refused scheme",
      "ftp://alice:hunter2@files.example.org/x?token=t0k",
      "ftp://files.example.org",
    ],
    [
      "a too long URL",
      `https://example.org/?token=t0k&alice=hunter2${"a".repeat(3000)}`,
      "https://example.org",
    ],
    ["a username that looks like a scheme", "alice:hunter2@example.org?token=t0k", "other scheme"],
    ["an unparsable URL", "https://alice:hunter2@exa mple.org/?token=t0k", "unparsable"],
    ["a mailto address", "mailto:alice@example.org?subject=hunter2&token=t0k\u202e", "mailto:"],
  ])("logs only the scheme and host of a URL refused for %s", async (_, raw, logged) => {
    captureLog();
    const open = createSafeOpenUrl(vi.fn(async () => {}));
    await expect(open(raw)).rejects.toMatchObject({ code: "invalid-argument" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(logged);
    for (const secret of ["alice", "hunter2", "t0k", "token", "private", "/x"]) {
      expect(lines[0]).not.toContain(secret);
    }
  });

  it("does not log an opened URL's query when the shell fails with it in the message", async () => {
    captureLog();
    const open = createSafeOpenUrl(async (url) => {
      throw new Error(`could not open ${url}`);
    });
    await expect(open("https://example.org/reset?token=t0k")).rejects.toMatchObject({
      code: "not-available",
    });
    expect(lines.join("")).toContain("example.org");
    expect(lines.join("")).not.toContain("t0k");
  });

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
