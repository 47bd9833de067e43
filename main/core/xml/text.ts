import { StreamParseError } from "./stream-parse-error";

// Characters XML 1.0 forbids. Lone surrogates cannot come out of a UTF-8 decoder, so they are not
// looked for. Names and the space inside tags are checked by the tag reader; character data here.
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const FORBIDDEN_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
// One scan tells whether text needs any of the work below; most text needs none.
// eslint-disable-next-line no-control-regex -- as above
const TEXT_SPECIAL = /[\x00-\x08\x0B\x0C\x0E-\x1F\r&\]\uFFFE\uFFFF]/;
const NOT_WHITESPACE = /[^ \t\r\n]/;
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;
const PREDEFINED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function checkCharacters(text: string): void {
  const at = text.search(FORBIDDEN_CHAR);
  if (at !== -1) {
    const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0");
    throw new StreamParseError("not-well-formed", `forbidden character U+${code}`);
  }
}

export function isWhitespace(text: string): boolean {
  return !NOT_WHITESPACE.test(text);
}

/** Character data between markup: line ends normalized, references resolved. */
export function decodeText(raw: string): string {
  if (!TEXT_SPECIAL.test(raw)) return raw;
  checkCharacters(raw);
  if (raw.includes("]]>")) throw new StreamParseError("not-well-formed", "]]> in text");
  const text = normalizeLineEnds(raw);
  return text.includes("&") ? resolveReferences(text) : text;
}

/** CDATA content is taken literally, apart from line ends. */
export function decodeCdata(raw: string): string {
  checkCharacters(raw);
  return normalizeLineEnds(raw);
}

function normalizeLineEnds(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

/**
 * An attribute value the tag reader found special characters in. XML 1.0 §3.3.3: literal tabs and
 * line ends become spaces.
 */
export function decodeAttribute(raw: string): string {
  checkCharacters(raw);
  if (raw.includes("<")) throw new StreamParseError("not-well-formed", "< in an attribute value");
  const value = raw.replace(/\r\n|[\t\n\r]/g, " ");
  return value.includes("&") ? resolveReferences(value) : value;
}

/** Only the five predefined entities and character references exist: a stream has no DTD. */
function resolveReferences(text: string): string {
  let result = "";
  let done = 0;
  for (let amp = text.indexOf("&"); amp !== -1; amp = text.indexOf("&", done)) {
    REFERENCE.lastIndex = amp;
    const match = REFERENCE.exec(text);
    if (match === null) throw badReference(text, amp);
    const [, entity, decimal, hex] = match;
    const resolved =
      entity !== undefined
        ? PREDEFINED[entity]!
        : character(decimal !== undefined ? parseInt(decimal, 10) : parseInt(hex!, 16));
    result += text.slice(done, amp) + resolved;
    done = REFERENCE.lastIndex;
  }
  return result + text.slice(done);
}

function character(code: number): string {
  const allowed =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  if (!allowed) {
    throw new StreamParseError("not-well-formed", `reference to a forbidden character ${code}`);
  }
  return String.fromCodePoint(code);
}

function badReference(text: string, amp: number): StreamParseError {
  const end = text.indexOf(";", amp);
  const shown = end !== -1 && end - amp <= 32 ? text.slice(amp, end + 1) : text.slice(amp, amp + 8);
  return new StreamParseError("not-well-formed", `undeclared or malformed entity ${shown}`);
}
