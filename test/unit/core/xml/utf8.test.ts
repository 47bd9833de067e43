import { describe, expect, it } from "vitest";
import { failure, HEADER, parse, splits } from "./parse";

const encode = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((part) => [...part]));

describe("UTF-8 cut by chunk boundaries", () => {
  // Two, three and four bytes; the last one is a surrogate pair in JavaScript.
  it.each(["é", "€", "😀"])("keeps %s intact in text and attributes at every cut", (char) => {
    const stream = encode(`${HEADER}<message id='${char}'><body>a${char}b</body></message>`);
    for (const [head, tail] of splits(stream)) {
      const outcome = parse([head, tail]);
      expect(outcome.errors).toEqual([]);
      expect(outcome.elements[0]!.attrs.id).toBe(char);
      expect(outcome.elements[0]!.getChildText("body")).toBe(`a${char}b`);
    }
  });

  it("keeps a character intact when each of its bytes comes alone", () => {
    const bytes = encode("😀");
    const outcome = parse([
      encode(`${HEADER}<message><body>`),
      ...[...bytes].map((byte) => new Uint8Array([byte])),
      encode("</body></message>"),
    ]);
    expect(outcome.elements[0]!.getChildText("body")).toBe("😀");
  });
});

describe("invalid UTF-8", () => {
  it.each([
    ["a byte that never starts a character", [0xff]],
    ["an overlong encoding of /", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a character cut short by ASCII", [0xe2, 0x82, 0x41]],
    ["a continuation byte on its own", [0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ])("rejects %s with unsupported-encoding (RFC 6120 §4.9.3.22)", (_, bytes) => {
    const invalid = concat(encode(`${HEADER}<message><body>`), new Uint8Array(bytes));
    const outcome = parse([invalid, encode("</body></message>")]);
    expect(failure(outcome)).toBe("unsupported-encoding: the stream is not valid UTF-8");
    expect(outcome.elements).toEqual([]);
  });

  it("rejects invalid bytes that arrive in a later chunk than their lead byte", () => {
    const outcome = parse([
      encode(`${HEADER}<message><body>`),
      new Uint8Array([0xe2]),
      encode("A"),
    ]);
    expect(failure(outcome)).toMatch(/^unsupported-encoding/);
  });
});
