import { Buffer } from "node:buffer";
import { StreamParseError } from "./stream-parse-error";
import { checkDeclaration, readEndTag, readStartTag, type StartTag } from "./tags";
import { decodeCdata, decodeText, isWhitespace } from "./text";

/** Where the tokens of a well-formed stream go. */
export interface TokenSink {
  startTag(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  endTag(): void;
  text(text: string): void;
}

// Markup cut by the end of a chunk is kept in pieces and joined once it is complete, so a huge
// token costs linear time. What kind of markup it is decides how its end is found.
const NONE = 0;
const TAG = 1;
const CDATA = 2;
const DECLARATION = 3;

const CDATA_OPEN = "<![CDATA[";
const TAG_STOP = /["'>]/g;

function violation(condition: "not-well-formed" | "restricted-xml", text: string) {
  return new StreamParseError(condition, text);
}

export interface TokenizerLimits {
  /** Largest item, in UTF-8 bytes. */
  maxItemBytes: number;
  /** Most elements open at once inside the root. */
  maxDepth: number;
  /** Most attributes on one element. */
  maxAttributes: number;
  /** Most elements in one item. */
  maxElements: number;
}

/**
 * Splits the decoded text of an XMPP stream into tokens, checking the rules of RFC 6120 §11.1 as
 * it goes. An "item" is one thing at stream level (the root tag, one stanza, the closing tag); its
 * size is counted in UTF-8 bytes and limited, as are its depth and each element's attributes.
 * Violations are thrown as StreamParseError.
 */
export class Tokenizer {
  readonly #sink: TokenSink;
  readonly #maxItemBytes: number;
  readonly #maxDepth: number;
  readonly #maxAttributes: number;
  readonly #maxElements: number;
  #depth = 0;
  /** Elements opened in the current item so far. */
  #itemElements = 0;
  #names: string[] = [];
  #declared = false;
  #finished = false;
  #text: string[] = [];
  #pending = "";
  #carry: string[] = [];
  #carryKind = NONE;
  #quote = 0;
  #tail = "";
  #inItem = false;
  #itemStart = 0;
  #itemBytes = 0;

  constructor(sink: TokenSink, limits: TokenizerLimits) {
    this.#sink = sink;
    this.#maxItemBytes = limits.maxItemBytes;
    this.#maxDepth = limits.maxDepth;
    this.#maxAttributes = limits.maxAttributes;
    this.#maxElements = limits.maxElements;
  }

  /** True once the root element has closed; later input means nothing. */
  get finished(): boolean {
    return this.#finished;
  }

  feed(chunk: string): void {
    const s = this.#pending + chunk;
    this.#pending = "";
    this.#itemStart = 0;
    let pos = 0;
    if (this.#carryKind !== NONE) pos = this.#resume(s);
    const len = s.length;
    while (pos < len && !this.#finished) {
      const lt = s.indexOf("<", pos);
      if (lt === -1) {
        this.#addText(s, pos, len);
        break;
      }
      if (lt > pos) this.#addText(s, pos, lt);
      if (this.#text.length > 0) this.#flushText();
      if (!this.#inItem && this.#depth <= 1) {
        this.#inItem = true;
        this.#itemStart = lt;
        this.#itemBytes = 0;
      }
      pos = this.#markup(s, lt);
    }
    if (this.#inItem && !this.#finished) {
      this.#itemBytes += Buffer.byteLength(s.slice(this.#itemStart, len - this.#pending.length));
      this.#checkSize(this.#itemBytes);
    }
  }

  /** Text that ends at `to`: delivered, or kept when it may go on in the next chunk. */
  #addText(s: string, from: number, to: number): void {
    const text = s.slice(from, to);
    if (this.#depth < 2) {
      if (!isWhitespace(text)) throw violation("not-well-formed", "text outside a stanza");
    } else if (to === s.length) {
      this.#text.push(text);
    } else if (this.#text.length === 0) {
      this.#sink.text(decodeText(text));
    } else {
      this.#text.push(text);
      this.#flushText();
    }
  }

  #flushText(): void {
    const raw = this.#text.length === 1 ? this.#text[0]! : this.#text.join("");
    this.#text = [];
    this.#sink.text(decodeText(raw));
  }

  /** Handles the markup starting at `lt`; returns where scanning continues. */
  #markup(s: string, lt: number): number {
    switch (s.charCodeAt(lt + 1)) {
      case 0x2f /* / */:
        return this.#endTag(s, lt);
      case 0x21 /* ! */:
        return this.#bang(s, lt);
      case 0x3f /* ? */:
        return this.#question(s, lt);
      default:
        if (lt + 1 === s.length) return this.#defer(s, lt);
        return this.#startTag(s, lt);
    }
  }

  #startTag(s: string, lt: number): number {
    const tag = readStartTag(s, lt, this.#maxAttributes);
    if (tag !== null) {
      this.#open(tag, s);
      return tag.end;
    }
    if (this.#findTagEnd(s, lt + 1) === -1) return this.#startCarry(TAG, s, lt);
    throw violation("not-well-formed", "malformed start tag");
  }

  #endTag(s: string, lt: number): number {
    const end = readEndTag(s, lt, this.#names[this.#names.length - 1]);
    if (end === -1) return this.#startCarry(TAG, s, lt);
    this.#close(s, end);
    return end;
  }

  #bang(s: string, lt: number): number {
    if (s.startsWith(CDATA_OPEN, lt)) return this.#cdata(s, lt);
    const start = s.slice(lt, lt + CDATA_OPEN.length);
    if (start.length < CDATA_OPEN.length && CDATA_OPEN.startsWith(start)) return this.#defer(s, lt);
    if (start.startsWith("<!-")) throw violation("restricted-xml", "comments are not allowed");
    if (start.startsWith("<!D")) throw violation("restricted-xml", "a DOCTYPE is not allowed");
    throw violation("restricted-xml", "markup declarations are not allowed");
  }

  #question(s: string, lt: number): number {
    const start = s.slice(lt, lt + 6);
    if (start.length < 6 && "<?xml ".startsWith(start)) return this.#defer(s, lt);
    if (!/^<\?xml[ \t\r\n]/.test(start)) {
      throw violation("restricted-xml", "processing instructions are not allowed");
    }
    if (this.#declared || this.#depth > 0) {
      throw violation("restricted-xml", "an XML declaration inside the stream");
    }
    const close = s.indexOf("?>", lt + 5);
    if (close === -1) return this.#startCarry(DECLARATION, s, lt);
    this.#declaration(s.slice(lt, close + 2), s, close + 2);
    return close + 2;
  }

  #cdata(s: string, lt: number): number {
    if (this.#depth < 2) throw violation("not-well-formed", "text outside a stanza");
    const close = s.indexOf("]]>", lt + CDATA_OPEN.length);
    if (close === -1) return this.#startCarry(CDATA, s, lt);
    this.#cdataText(s.slice(lt + CDATA_OPEN.length, close));
    return close + 3;
  }

  #cdataText(content: string): void {
    if (content !== "") this.#sink.text(decodeCdata(content));
  }

  #declaration(markup: string, s: string, end: number): void {
    checkDeclaration(markup);
    this.#declared = true;
    this.#completeItem(s, end);
  }

  #open(tag: StartTag, s: string): void {
    // #depth counts the root, so it is also the level inside the stream of the element opening.
    if (this.#depth > this.#maxDepth) {
      throw new StreamParseError(
        "policy-violation",
        `elements are nested more than ${this.#maxDepth} deep`,
      );
    }
    if (this.#depth >= 1 && ++this.#itemElements > this.#maxElements) {
      throw new StreamParseError(
        "policy-violation",
        `a stanza has more than ${this.#maxElements} elements`,
      );
    }
    if (!tag.selfClosing) {
      this.#depth++;
      this.#names.push(tag.name);
    }
    if (this.#depth <= 1) this.#completeItem(s, tag.end);
    this.#sink.startTag(tag.name, tag.attrs, tag.selfClosing);
    if (this.#depth === 0) this.#finished = true;
  }

  #close(s: string, end: number): void {
    this.#names.pop();
    this.#depth--;
    if (this.#depth <= 1) this.#completeItem(s, end);
    this.#sink.endTag();
    if (this.#depth === 0) this.#finished = true;
  }

  /** Counts the item that ends at `end` and checks it against the limit, before it is delivered. */
  #completeItem(s: string, end: number): void {
    this.#itemElements = 0;
    if (!this.#inItem) return;
    this.#inItem = false;
    // A UTF-16 unit takes at most 3 bytes in UTF-8: far from the limit, bytes need no counting.
    if (this.#itemBytes + 3 * (end - this.#itemStart) <= this.#maxItemBytes) return;
    this.#checkSize(this.#itemBytes + Buffer.byteLength(s.slice(this.#itemStart, end)));
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#maxItemBytes) {
      throw new StreamParseError(
        "policy-violation",
        `a stanza is larger than ${this.#maxItemBytes} bytes`,
      );
    }
  }

  /** Too little of the markup is here to tell what it is: keep it (a few characters) for later. */
  #defer(s: string, lt: number): number {
    this.#pending = s.slice(lt);
    return s.length;
  }

  #startCarry(kind: number, s: string, lt: number): number {
    this.#carryKind = kind;
    this.#carry = [];
    this.#tail = "";
    this.#keep(s.slice(lt));
    return s.length;
  }

  #keep(piece: string): void {
    this.#carry.push(piece);
    this.#tail = (this.#tail + piece).slice(-2);
  }

  /** Continues carried markup into chunk `s`; returns where scanning continues. */
  #resume(s: string): number {
    const kind = this.#carryKind;
    const last =
      kind === TAG ? this.#findTagEnd(s, 0) : this.#findAcross(s, kind === CDATA ? "]]>" : "?>");
    if (last === -1) {
      this.#keep(s);
      return s.length;
    }
    const end = last + 1;
    const markup = this.#carry.join("") + s.slice(0, end);
    this.#carry = [];
    this.#carryKind = NONE;
    if (kind === CDATA) this.#cdataText(markup.slice(CDATA_OPEN.length, -3));
    else if (kind === DECLARATION) this.#declaration(markup, s, end);
    else this.#carriedTag(markup, s, end);
    return end;
  }

  /** A tag that spanned chunks, now whole in `markup`; it ends at `end` in chunk `s`. */
  #carriedTag(markup: string, s: string, end: number): void {
    if (markup.charCodeAt(1) === 0x2f /* / */) {
      if (readEndTag(markup, 0, this.#names[this.#names.length - 1]) !== markup.length) {
        throw violation("not-well-formed", "malformed end tag");
      }
      this.#close(s, end);
      return;
    }
    const tag = readStartTag(markup, 0, this.#maxAttributes);
    if (tag === null || tag.end !== markup.length) {
      throw violation("not-well-formed", "malformed start tag");
    }
    this.#open({ ...tag, end }, s);
  }

  /** Index of the `>` ending a tag, skipping quoted values; the quote state survives chunks. */
  #findTagEnd(s: string, from: number): number {
    let pos = from;
    for (;;) {
      if (this.#quote !== 0) {
        const close = s.indexOf(this.#quote === 0x22 ? '"' : "'", pos);
        if (close === -1) return -1;
        this.#quote = 0;
        pos = close + 1;
        continue;
      }
      TAG_STOP.lastIndex = pos;
      const stop = TAG_STOP.exec(s);
      if (stop === null) return -1;
      if (stop[0] === ">") return stop.index;
      this.#quote = stop[0].charCodeAt(0);
      pos = stop.index + 1;
    }
  }

  /** Index in `s` of the last character of `needle`, which may begin in the carried markup. */
  #findAcross(s: string, needle: string): number {
    const head = this.#tail + s.slice(0, needle.length - 1);
    const across = head.indexOf(needle);
    if (across !== -1) return across + needle.length - 1 - this.#tail.length;
    const within = s.indexOf(needle);
    return within === -1 ? -1 : within + needle.length - 1;
  }
}
