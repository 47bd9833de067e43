import type { Element } from "@xmpp/client";
import { StreamParser, type StreamParserOptions } from "../../../../main/core/xml/stream-parser";
import type { StreamParseError } from "../../../../main/core/xml/stream-parse-error";

export const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.net' version='1.0'>";

export interface Outcome {
  root: Element | null;
  elements: Element[];
  ended: boolean;
  errors: StreamParseError[];
}

/** Feeds `chunks` to a new StreamParser, one write() each, and records what it emitted. */
export function parse(
  chunks: (string | Uint8Array)[] | string,
  options?: StreamParserOptions,
): Outcome {
  const outcome: Outcome = { root: null, elements: [], ended: false, errors: [] };
  const parser = new StreamParser(options);
  parser.on("start", (root: Element) => (outcome.root = root));
  parser.on("element", (element: Element) => outcome.elements.push(element));
  parser.on("end", () => (outcome.ended = true));
  parser.on("error", (error: StreamParseError) => outcome.errors.push(error));
  for (const chunk of typeof chunks === "string" ? [chunks] : chunks) parser.write(chunk);
  return outcome;
}

/** The stream header followed by `body`, parsed in one piece. */
export function parseStream(body: string, options?: StreamParserOptions): Outcome {
  return parse(HEADER + body, options);
}

/** The single error a parse ended with, as `condition: text`. */
export function failure(outcome: Outcome): string | undefined {
  if (outcome.errors.length > 1) throw new Error(`${outcome.errors.length} errors`);
  const [error] = outcome.errors;
  return error && `${error.condition}: ${error.text}`;
}

/** Every way to cut `bytes` in two. */
export function* splits(bytes: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
  for (let at = 0; at <= bytes.length; at++) yield [bytes.subarray(0, at), bytes.subarray(at)];
}
