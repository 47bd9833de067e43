import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_STANZA_BYTES } from "../../../../main/core/xml/stream-parser";
import { failure, HEADER, parse, parseStream } from "./parse";

const encode = (text: string) => new TextEncoder().encode(text);
const LIMIT = 256;
/** A message of exactly `bytes` UTF-8 bytes, filled with `fill`. */
function messageOf(bytes: number, fill = "x"): string {
  const frame = "<message><body></body></message>";
  const fillBytes = encode(fill).length;
  return `<message><body>${fill.repeat((bytes - frame.length) / fillBytes)}</body></message>`;
}

describe("the stanza size limit", () => {
  it("defaults to 10 MiB", () => {
    expect(DEFAULT_MAX_STANZA_BYTES).toBe(10 * 1024 * 1024);
  });

  it("accepts a stanza of exactly the limit, counted in UTF-8 bytes", () => {
    expect(encode(messageOf(LIMIT, "é"))).toHaveLength(LIMIT);
    const outcome = parseStream(messageOf(LIMIT, "é") + messageOf(LIMIT), {
      maxStanzaBytes: LIMIT,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.elements).toHaveLength(2);
  });

  it("rejects a stanza one byte over with policy-violation, and delivers nothing of it", () => {
    const outcome = parseStream(messageOf(LIMIT) + messageOf(LIMIT + 2, "é"), {
      maxStanzaBytes: LIMIT,
    });
    expect(failure(outcome)).toBe(`policy-violation: a stanza is larger than ${LIMIT} bytes`);
    expect(outcome.elements).toHaveLength(1);
  });

  it("stops an oversized stanza while it is still arriving", () => {
    const chunks = [encode(`${HEADER}<message><body>`), ...Array(5).fill(encode("x".repeat(100)))];
    const outcome = parse(chunks, { maxStanzaBytes: LIMIT });
    expect(failure(outcome)).toMatch(/^policy-violation/);
  });

  it("applies to a single endless tag, and to the stream header", () => {
    const endlessTag = [
      encode(`${HEADER}<message id='`),
      ...Array(5).fill(encode("x".repeat(100))),
    ];
    expect(failure(parse(endlessTag, { maxStanzaBytes: LIMIT }))).toMatch(/^policy-violation/);
    expect(failure(parse(HEADER, { maxStanzaBytes: 100 }))).toMatch(/^policy-violation/);
  });

  it("does not count whitespace between stanzas", () => {
    const outcome = parseStream(" ".repeat(1000) + messageOf(LIMIT), { maxStanzaBytes: LIMIT });
    expect(outcome.errors).toEqual([]);
  });
});

describe("one 8 MiB text node", () => {
  it("arrives whole, in linear time", () => {
    const text = "0123456789abcdef".repeat(512 * 1024);
    const stream = encode(`${HEADER}<message><body>${text}</body></message>`);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < stream.length; at += 16 * 1024) {
      chunks.push(stream.subarray(at, at + 16 * 1024));
    }
    const start = performance.now();
    const outcome = parse(chunks);
    const ms = performance.now() - start;
    expect(outcome.errors).toEqual([]);
    expect(outcome.elements[0]!.getChildText("body")).toBe(text);
    // The stock parser needs seconds here; the target is 100 ms on an idle machine. This bound
    // leaves room for a busy test machine while still catching quadratic behaviour.
    expect(ms).toBeLessThan(2000);
  });
});
