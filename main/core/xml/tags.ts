import { StreamParseError } from "./stream-parse-error";
import { decodeAttribute } from "./text";

// Tags are read with charCodeAt and a lookup table rather than regular expressions: on a stream of
// small stanzas, tag reading is most of the work.

const NAME_START = 1;
const NAME_CHAR = 2;
const ASCII_NAME = new Uint8Array(128);
for (const char of ":_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  ASCII_NAME[char.charCodeAt(0)] = NAME_START | NAME_CHAR;
}
for (const char of "-.0123456789") ASCII_NAME[char.charCodeAt(0)] = NAME_CHAR;

// XML 1.0 (fifth edition) NameStartChar and NameChar beyond ASCII, as inclusive ranges.
const NON_ASCII_START: [number, number][] = [
  [0xc0, 0xd6],
  [0xd8, 0xf6],
  [0xf8, 0x2ff],
  [0x370, 0x37d],
  [0x37f, 0x1fff],
  [0x200c, 0x200d],
  [0x2070, 0x218f],
  [0x2c00, 0x2fef],
  [0x3001, 0xd7ff],
  [0xf900, 0xfdcf],
  [0xfdf0, 0xfffd],
  [0x10000, 0xeffff],
];
const NON_ASCII_CHAR: [number, number][] = [
  ...NON_ASCII_START,
  [0xb7, 0xb7],
  [0x300, 0x36f],
  [0x203f, 0x2040],
];

const S = "[ \\t\\r\\n]";
const DECLARATION = new RegExp(
  `^<\\?xml${S}+version${S}*=${S}*(?:'1\\.[0-9]+'|"1\\.[0-9]+")` +
    `(?:${S}+encoding${S}*=${S}*(?:'([A-Za-z][\\w.-]*)'|"([A-Za-z][\\w.-]*)"))?` +
    `(?:${S}+standalone${S}*=${S}*(?:'(?:yes|no)'|"(?:yes|no)"))?${S}*\\?>$`,
);

const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
// A value up to its closing quote with nothing to decode or reject in it.
// eslint-disable-next-line no-control-regex -- control characters are what these look for
const PLAIN_SINGLE_QUOTED = /[^'&<\x00-\x1F\uFFFE\uFFFF]*'/y;
// eslint-disable-next-line no-control-regex -- as above
const PLAIN_DOUBLE_QUOTED = /[^"&<\x00-\x1F\uFFFE\uFFFF]*"/y;

export interface StartTag {
  name: string;
  attrs: Record<string, string>;
  selfClosing: boolean;
  /** Index just past the tag's `>`. */
  end: number;
}

function malformed(what: string): StreamParseError {
  return new StreamParseError("not-well-formed", what);
}

/** Index just past the XML Name that starts at `from`; `from` itself if none does. */
function nameEnd(s: string, from: number): number {
  const first = s.charCodeAt(from);
  let pos: number;
  if (first < 128) {
    if ((ASCII_NAME[first]! & NAME_START) === 0) return from;
    pos = from + 1;
  } else {
    pos = nonAsciiEnd(s, from, NON_ASCII_START);
    if (pos === from) return from;
  }
  for (;;) {
    const code = s.charCodeAt(pos);
    if (code < 128) {
      if ((ASCII_NAME[code]! & NAME_CHAR) === 0) return pos;
      pos++;
    } else {
      const next = nonAsciiEnd(s, pos, NON_ASCII_CHAR);
      if (next === pos) return pos;
      pos = next;
    }
  }
}

/** Index after the character at `pos` if it is in `ranges`, else `pos` (also at the end). */
function nonAsciiEnd(s: string, pos: number, ranges: [number, number][]): number {
  const point = s.codePointAt(pos);
  if (point === undefined || !ranges.some(([low, high]) => point >= low && point <= high)) {
    return pos;
  }
  return pos + (point > 0xffff ? 2 : 1);
}

function skipSpace(s: string, from: number): number {
  let pos = from;
  for (;;) {
    const code = s.charCodeAt(pos);
    if (code !== 0x20 && code !== 0x0a && code !== 0x09 && code !== 0x0d) return pos;
    pos++;
  }
}

/**
 * Reads the start tag whose `<` is at `lt`. Returns null when `s` ends before the tag does; throws
 * when what is there cannot be a start tag, or has more than `maxAttributes` attributes (counted
 * as they come, so a tag still arriving is refused too).
 */
export function readStartTag(s: string, lt: number, maxAttributes: number): StartTag | null {
  const len = s.length;
  let pos = nameEnd(s, lt + 1);
  if (pos === lt + 1) throw malformed("malformed start tag");
  const name = s.slice(lt + 1, pos);
  const attrs: Record<string, string> = {};
  let count = 0;
  for (;;) {
    const spaceFrom = pos;
    pos = skipSpace(s, pos);
    if (pos >= len) return null;
    const code = s.charCodeAt(pos);
    if (code === GT) return { name, attrs, selfClosing: false, end: pos + 1 };
    if (code === SLASH) {
      if (pos + 1 >= len) return null;
      if (s.charCodeAt(pos + 1) === GT) return { name, attrs, selfClosing: true, end: pos + 2 };
      throw malformed(`malformed start tag <${name}>`);
    }
    const attrFrom = pos;
    pos = nameEnd(s, pos);
    if (pos >= len) return null;
    if (pos === attrFrom || attrFrom === spaceFrom) {
      throw malformed(`malformed start tag <${name}>`);
    }
    if (++count > maxAttributes) {
      throw new StreamParseError(
        "policy-violation",
        `an element has more than ${maxAttributes} attributes`,
      );
    }
    const attr = s.slice(attrFrom, pos);
    pos = skipSpace(s, pos);
    if (pos >= len) return null;
    if (s.charCodeAt(pos) !== EQUALS) throw malformed(`attribute ${attr} has no value`);
    pos = skipSpace(s, pos + 1);
    if (pos >= len) return null;
    const quote = s.charCodeAt(pos);
    if (quote !== QUOT && quote !== APOS) throw malformed(`attribute ${attr} is not quoted`);
    // Usually one regex run finds the closing quote and shows the value needs no decoding.
    const plain = quote === QUOT ? PLAIN_DOUBLE_QUOTED : PLAIN_SINGLE_QUOTED;
    plain.lastIndex = pos + 1;
    const special = !plain.test(s);
    const close = special ? s.indexOf(quote === QUOT ? '"' : "'", pos + 1) : plain.lastIndex - 1;
    if (close === -1) return null;
    if (Object.hasOwn(attrs, attr)) throw malformed(`attribute ${attr} appears twice`);
    const value = s.slice(pos + 1, close);
    attrs[attr] = special ? decodeAttribute(value) : value;
    pos = close + 1;
  }
}

/**
 * Reads the end tag whose `<` is at `lt`, which must close `open`. Returns the index just past it,
 * or -1 when `s` ends first.
 */
export function readEndTag(s: string, lt: number, open: string | undefined): number {
  const from = lt + 2;
  if (open !== undefined && s.startsWith(open, from) && s.charCodeAt(from + open.length) === GT) {
    return from + open.length + 1;
  }
  const pos = nameEnd(s, from);
  const after = skipSpace(s, pos);
  if (after >= s.length) return -1;
  if (pos === from || s.charCodeAt(after) !== GT) throw malformed("malformed end tag");
  const name = s.slice(from, pos);
  if (name !== open) {
    throw malformed(`</${name}> does not close ${open === undefined ? "anything" : `<${open}>`}`);
  }
  return after + 1;
}

/** Throws unless `markup` is a well-formed XML declaration for UTF-8. */
export function checkDeclaration(markup: string): void {
  const match = DECLARATION.exec(markup);
  if (match === null) throw malformed("malformed XML declaration");
  const encoding = match[1] ?? match[2];
  if (encoding !== undefined && encoding.toLowerCase() !== "utf-8") {
    throw new StreamParseError("unsupported-encoding", `the stream declares ${encoding}`);
  }
}
