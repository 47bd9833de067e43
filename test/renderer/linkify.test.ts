import { describe, expect, it } from "vitest";
import { safeHref, segmentText, type Segment } from "../../renderer/lib/linkify";

const link = (text: string, href = new URL(text).href): Segment => ({ kind: "link", text, href });
const text = (value: string): Segment => ({ kind: "text", text: value });

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

// Any contact can send these; each used to freeze the window for seconds (quadratic trimming).
describe("segmentText on hostile bodies", () => {
  it.each([
    ["40,000 closing parentheses", "http://a", ")".repeat(40_000)],
    ["40,000 mixed closing brackets", "http://a/", ")]}".repeat(13_334)],
    ["a long run of dots", "http://a/x", ".".repeat(200_000)],
    ["a long run of commas", "http://a/x", ",".repeat(200_000)],
    ["dots and closing parentheses", "http://a/x", ".)".repeat(40_000)],
    ["one opening, many closing parentheses", "http://a/(x)", ")".repeat(40_000)],
  ])("links only the URL before %s", (_, url, tail) => {
    expect(segmentText(url + tail)).toEqual([link(url), text(tail)]);
  });

  it.each([
    ["a long run of dots", "http://a/" + ".".repeat(200_000) + "x"],
    ["a long run of commas", "http://a/" + ",".repeat(200_000) + "x"],
    ["a long run of underscores", "http://a/" + "_".repeat(200_000) + "x"],
    ["40,000 opening parentheses", "http://a/" + "(".repeat(40_000)],
    ["balanced parentheses", "http://a/" + "(".repeat(20_000) + ")".repeat(20_000)],
    ["http:// 20,000 times", "http://".repeat(20_000)],
  ])("keeps %s inside the link when the URL goes on", (_, body) => {
    expect(segmentText(body)).toEqual([link(body)]);
  });

  it("splits 20,000 links followed by a parenthesis each", () => {
    const segments = segmentText("http://a/) ".repeat(20_000));
    expect(segments).toHaveLength(40_000);
    expect(segments[0]).toEqual(link("http://a/"));
    expect(segments[1]).toEqual(text(") "));
    expect(segments.at(-1)).toEqual(text(") "));
  });
});

describe("segmentText and bidirectional controls", () => {
  // Embeddings and overrides, isolates, and the three marks.
  const controls = [..."\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"];

  it("never makes a clickable link of a URL that hides them, and shows them visibly", () => {
    expect(segmentText("get https://example.org/\u202egpj.exe now")).toEqual([
      text("get "),
      {
        kind: "disguised-link",
        text: "https://example.org/\u202egpj.exe",
        visible: "https://example.org/⟨U+202E⟩gpj.exe",
      },
      text(" now"),
    ]);
  });

  it.each(controls.map((c) => [c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0"), c]))(
    "refuses a link containing U+%s",
    (code, control) => {
      for (const url of [
        `https://example.org/a${control}b`,
        `https://example.org${control}/`,
        `https://exa${control}mple.org/`,
        `mailto:a${control}@example.org`,
      ]) {
        const segments = segmentText(`x ${url} y`);
        expect(segments.some((s) => s.kind === "link")).toBe(false);
        expect(segments[1]).toEqual({
          kind: "disguised-link",
          text: url,
          visible: url.replace(control, `⟨U+${code}⟩`),
        });
        expect(safeHref(url)).toBeNull();
      }
    },
  );

  it("leaves a mark after a link (as right-to-left writers type) outside the link", () => {
    expect(segmentText("ראו https://example.org/a\u200f. תודה")).toEqual([
      text("ראו "),
      link("https://example.org/a"),
      text("\u200f. תודה"),
    ]);
    expect(segmentText("(https://example.org/a)\u202c")).toEqual([
      text("("),
      link("https://example.org/a"),
      text(")\u202c"),
    ]);
  });

  it("still gives the body back when its segments' text is joined", () => {
    const body = "a \u202eb https://x.org/\u202ey c\u200f https://z.org\u200f";
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

  it("keeps only the to, cc, subject and body fields of a mailto link", () => {
    expect(
      safeHref(
        "mailto:a@b.org,c@d.org?subject=Hi&attach=/etc/passwd&body=see%20you&bcc=e@f.org" +
          "&cc=g@h.org&to=i@j.org&x-foo=1&attachment=~/.ssh/id_rsa",
      ),
    ).toBe("mailto:a@b.org,c@d.org?subject=Hi&body=see%20you&cc=g@h.org&to=i@j.org");
  });

  it("matches mailto field names case-insensitively and after percent-decoding", () => {
    expect(
      safeHref("mailto:a@b.org?SUBJECT=Hi&ATTACH=x&Attach=y&%61ttach=z&%62ody=b&%zz=1&Body=c"),
    ).toBe("mailto:a@b.org?SUBJECT=Hi&%62ody=b&Body=c");
  });

  it("drops a mailto link's query when no field is left, and its fragment", () => {
    expect(safeHref("mailto:a@b.org?attach=/etc/passwd")).toBe("mailto:a@b.org");
    expect(safeHref("mailto:a@b.org?")).toBe("mailto:a@b.org");
    expect(safeHref("mailto:a@b.org#attach=x")).toBe("mailto:a@b.org");
    expect(safeHref("mailto:a@b.org?subject=a?attach=x")).toBe(
      "mailto:a@b.org?subject=a%3Fattach=x",
    );
  });

  it("strips mailto fields from links found in a body too", () => {
    expect(segmentText("mailto:a@b.org?attach=/etc/passwd&subject=x")).toEqual([
      {
        kind: "link",
        text: "mailto:a@b.org?attach=/etc/passwd&subject=x",
        href: "mailto:a@b.org?subject=x",
      },
    ]);
  });

  it("leaves the query of web links alone", () => {
    expect(safeHref("https://example.org/?attach=x&token=y#z")).toBe(
      "https://example.org/?attach=x&token=y#z",
    );
  });
});
