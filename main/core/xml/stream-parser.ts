import { EventEmitter } from "node:events";
import { xml, type Element } from "@xmpp/client";
import { StreamParseError } from "./stream-parse-error";
import { Tokenizer } from "./tokenizer";
import { Utf8Decoder } from "./utf8-decoder";

export const DEFAULT_MAX_STANZA_BYTES = 10 * 1024 * 1024;
// Real stanzas nest a few elements deep (a MAM result forwarding an XHTML-IM message: about ten)
// and carry a few attributes; Tigase refuses more than 50 on an element. Without these limits a
// 2.8 MB stanza of nested elements took 119 MB of heap, and toString() overflowed the stack.
export const DEFAULT_MAX_DEPTH = 64;
export const DEFAULT_MAX_ATTRIBUTES = 64;
// Flat breadth costs heap too: 10 MiB of <a/> would be 2.5 million elements (about 400 MB). A
// roster of 50,000 contacts with a group each is about 100,000.
export const DEFAULT_MAX_ELEMENTS = 250_000;

/** What the server may send; a stanza beyond any limit closes the stream with policy-violation. */
export interface StreamLimits {
  /** Largest top-level element (stanza, nonza), in UTF-8 bytes; DEFAULT_MAX_STANZA_BYTES. */
  maxStanzaBytes?: number;
  /** Most elements open at once inside the stream, the stanza counting as one; DEFAULT_MAX_DEPTH. */
  maxDepth?: number;
  /** Most attributes on one element, namespace declarations included; DEFAULT_MAX_ATTRIBUTES. */
  maxAttributes?: number;
  /** Most elements in one stanza, the stanza included; DEFAULT_MAX_ELEMENTS. */
  maxElements?: number;
}

export interface StreamParserOptions extends StreamLimits {
  /** Receives a violation instead of the "error" event. */
  onViolation?: (error: StreamParseError) => void;
}

/**
 * A drop-in for @xmpp/xml's Parser that holds to RFC 6120's restricted XML. Events: "start" (the
 * root element), "element" (each top-level child, built as @xmpp/xml builds it), "end" (the root
 * closed) and "error" (a StreamParseError; afterwards all input is ignored).
 */
export class StreamParser extends EventEmitter {
  root: Element | null = null;
  #cursor: Element | null = null;
  #decoder = new Utf8Decoder();
  #tokenizer: Tokenizer;
  #onViolation: ((error: StreamParseError) => void) | undefined;
  #stopped = false;
  // A throwing listener must not leave the parser half-way through a chunk: its error waits here
  // until the chunk is done.
  #listenerErrors: unknown[] = [];

  constructor(options: StreamParserOptions = {}) {
    super();
    this.#onViolation = options.onViolation;
    this.#tokenizer = new Tokenizer(
      {
        startTag: (name, attrs, selfClosing) => this.#startTag(name, attrs, selfClosing),
        endTag: () => this.#endTag(),
        text: (text) => this.#cursor!.children.push(text),
      },
      {
        maxItemBytes: options.maxStanzaBytes ?? DEFAULT_MAX_STANZA_BYTES,
        maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
        maxAttributes: options.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES,
        maxElements: options.maxElements ?? DEFAULT_MAX_ELEMENTS,
      },
    );
  }

  /** Takes raw bytes (decoded here, across chunk boundaries) or already decoded text. */
  write(chunk: Uint8Array | string): void {
    if (this.#stopped) return;
    try {
      this.#tokenizer.feed(typeof chunk === "string" ? chunk : this.#decoder.decode(chunk));
      if (this.#tokenizer.finished) this.#stop();
    } catch (error) {
      this.#fail(
        error instanceof StreamParseError
          ? error
          : new StreamParseError("not-well-formed", `the stream could not be parsed: ${error}`),
      );
    }
    const [thrown] = this.#listenerErrors;
    if (this.#listenerErrors.length > 0) {
      this.#listenerErrors = [];
      throw thrown;
    }
  }

  end(chunk?: Uint8Array | string): void {
    if (chunk) this.write(chunk);
    this.#stop();
  }

  #startTag(name: string, attrs: Record<string, string>, selfClosing: boolean): void {
    const element = new xml.Element(name);
    element.attrs = attrs;
    const cursor = this.#cursor;
    if (cursor === null) {
      this.root = element;
      this.#deliver("start", element);
    } else if (cursor !== this.root) {
      cursor.append(element);
    }
    this.#cursor = element;
    if (selfClosing) this.#endTag();
  }

  // As in @xmpp/xml: a top-level child gets the root as parent only once complete, and is not
  // added to the root's children.
  #endTag(): void {
    const element = this.#cursor!;
    if (element === this.root) {
      this.#deliver("end", element);
    } else if (element.parent === null) {
      element.parent = this.root;
      this.#cursor = this.root;
      this.#deliver("element", element);
    } else {
      this.#cursor = element.parent;
    }
  }

  #deliver(event: string, value: unknown): void {
    try {
      this.emit(event, value);
    } catch (error) {
      this.#listenerErrors.push(error);
    }
  }

  #fail(error: StreamParseError): void {
    this.#stop();
    if (this.#onViolation === undefined) {
      this.#deliver("error", error);
      return;
    }
    try {
      this.#onViolation(error);
    } catch (thrown) {
      this.#listenerErrors.push(thrown);
    }
  }

  #stop(): void {
    this.#stopped = true;
    this.#cursor = null;
  }
}
