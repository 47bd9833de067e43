import { Buffer } from "node:buffer";

// What the benchmark feeds the parsers: the server side of a stream, cut into chunks the size TLS
// records and socket reads usually have.

export const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='bench' from='example.net' version='1.0'>";

/** A stream of `count` small chat messages. */
export function messageStream(count: number): Buffer {
  const parts = [STREAM_HEADER];
  for (let i = 0; i < count; i++) {
    parts.push(
      `<message from='juliet@example.com/balcony' to='romeo@example.net' type='chat' ` +
        `id='msg-${i}' xml:lang='en'><body>Wherefore art thou, Romeo? №${i} &amp; more</body>` +
        `<active xmlns='http://jabber.org/protocol/chatstates'/></message>`,
    );
  }
  return Buffer.from(parts.join(""));
}

/** A stream holding one message whose body is `bytes` of text. */
export function bigTextStream(bytes: number): Buffer {
  return Buffer.from(
    `${STREAM_HEADER}<message type='chat'><body>${"x".repeat(bytes)}</body></message>`,
  );
}

/** Cuts `bytes` into chunks of 4–16 KiB, the same cuts on every run. */
export function chunked(bytes: Buffer, seed = 1): Buffer[] {
  const chunks: Buffer[] = [];
  let state = seed;
  for (let at = 0; at < bytes.length;) {
    state = (state * 16807) % 2147483647;
    const size = 4096 + (state % 12289);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** A seeded pseudo-random source in [0, 1) (mulberry32): the same figures for the same seed. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
