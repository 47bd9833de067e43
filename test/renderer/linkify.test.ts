import { describe, expect, it } from "vitest";
import { safeHref, segmentText } from "../../renderer/lib/linkify";

describe("segmentText", () => {
  it("returns the text as one segment when there is no link", () => {
    expect(segmentText("hello <b>there</b>")).toEqual([
      { kind: "text", text: "hello <b>there</b>" },
    ]);
  });

  it("splits http, https and mailto links out of the text", () => {
    expect(segmentText("see https://example.org/a?b=1 or mail me: mailto:me@example.org.")).toEqual(
      [
        { kind: "text", text: "see " },
        { kind: "link", text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
        { kind: "text", text: " or mail me: " },
        { kind: "link", text: "mailto:me@example.org", href: "mailto:me@example.org" },
        { kind: "text", text: "." },
      ],
    );
  });

  it("never turns javascript:, data: or file: into links", () => {
    for (const body of [
      "javascript:alert(1)",
      "click JavaScript:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "vbscript:msgbox",
    ]) {
      const segments = segmentText(body);
      expect(segments.every((s) => s.kind === "text")).toBe(true);
      expect(segments.map((s) => s.text).join("")).toBe(body);
    }
  });

  it("keeps balanced brackets but drops sentence punctuation", () => {
    const segments = segmentText("(see https://en.wikipedia.org/wiki/Wren_(bird)), ok?");
    expect(segments[1]).toEqual({
      kind: "link",
      text: "https://en.wikipedia.org/wiki/Wren_(bird)",
      href: "https://en.wikipedia.org/wiki/Wren_(bird)",
    });
    expect(segments.map((s) => s.text).join("")).toBe(
      "(see https://en.wikipedia.org/wiki/Wren_(bird)), ok?",
    );
  });

  it("does not link a scheme without a host", () => {
    expect(segmentText("http:// nothing").every((s) => s.kind === "text")).toBe(true);
  });

  it("preserves every character of the body", () => {
    const body = "a https://x.org b\nhttp://y.org/<c> mailto:z@q.org";
    expect(
      segmentText(body)
        .map((s) => s.text)
        .join(""),
    ).toBe(body);
  });
});

describe("safeHref", () => {
  it("allows only http, https and mailto", () => {
    expect(safeHref("https://example.org")).toBe("https://example.org/");
    expect(safeHref("mailto:a@b.org")).toBe("mailto:a@b.org");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("ftp://example.org")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});
