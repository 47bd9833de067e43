import type { Buffer } from "node:buffer";
import type { EventEmitter } from "node:events";
import { xml } from "@xmpp/client";
import { StreamParser } from "../main/core/xml/stream-parser";

// The two contestants, fed the way a connection feeds them: @xmpp/connection decodes each chunk to
// a string for the stock parser; Wren's parser takes the bytes.

interface Writable extends EventEmitter {
  write(chunk: Buffer | string): void;
}

const StockParser = (xml as unknown as { Parser: new () => Writable }).Parser;

export interface Contestant {
  name: string;
  /** Feeds `chunks` until done or `deadline` (ms, performance.now()) passes; returns elements seen. */
  parse(chunks: Buffer[], deadline?: number): { elements: number; fed: number };
}

function run(parser: Writable, decode: boolean, chunks: Buffer[], deadline: number) {
  let elements = 0;
  parser.on("element", () => elements++);
  parser.on("error", (error: Error) => {
    throw error;
  });
  let fed = 0;
  for (const chunk of chunks) {
    parser.write(decode ? chunk.toString("utf8") : chunk);
    fed++;
    if (performance.now() > deadline) break;
  }
  return { elements, fed };
}

export const stock: Contestant = {
  name: "@xmpp/xml Parser",
  parse: (chunks, deadline = Infinity) => run(new StockParser(), true, chunks, deadline),
};

export const wren: Contestant = {
  name: "Wren StreamParser",
  parse: (chunks, deadline = Infinity) => run(new StreamParser(), false, chunks, deadline),
};
