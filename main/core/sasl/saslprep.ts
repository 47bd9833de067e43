// SASLprep (RFC 4013, a profile of stringprep RFC 3454) as far as a client needs it.
//
// Limits, on purpose:
// - Unassigned code points are allowed: RFC 5802 prepares SCRAM strings as "query" strings.
// - The bidirectional rule (RFC 3454 §6) is not checked: JavaScript cannot look up Bidi_Class.
//   A string it would reject could never have been stored by a strict server, so skipping it
//   costs at most a "wrong password" answer, never a weaker login.
// - NFKC uses the current Unicode version rather than 3.2; the two differ only for characters
//   added since 2002, which are rare in passwords.

type Range = readonly [from: number, to: number];

/** RFC 3454 B.1, "commonly mapped to nothing". */
const MAPPED_TO_NOTHING: Range[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

/** RFC 3454 C.1.2, non-ASCII spaces; SASLprep maps them to U+0020. */
const NON_ASCII_SPACE: Range[] = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** RFC 3454 C.2.1 to C.9: what SASLprep output must not contain. */
const PROHIBITED: Range[] = [
  [0x0000, 0x001f], // C.2.1 ASCII control
  [0x007f, 0x007f],
  [0x0080, 0x009f], // C.2.2 non-ASCII control
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200d],
  [0x2028, 0x2029],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffc],
  [0x1d173, 0x1d17a],
  [0xe000, 0xf8ff], // C.3 private use
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
  [0xfdd0, 0xfdef], // C.4 non-characters (the xFFFE/xFFFF of every plane are checked below)
  [0xd800, 0xdfff], // C.5 surrogates: unpaired ones reach us as single code points
  [0xfff9, 0xfffd], // C.6 inappropriate for plain text
  [0x2ff0, 0x2ffb], // C.7 inappropriate for canonical representation
  [0x0340, 0x0341], // C.8 change display properties or deprecated
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  [0xe0001, 0xe0001], // C.9 tagging characters
  [0xe0020, 0xe007f],
];

/** The SASLprep form of `input`, or null when the result would contain a prohibited character. */
export function saslprep(input: string): string | null {
  let mapped = "";
  for (const character of input) {
    const codePoint = character.codePointAt(0)!;
    if (inTable(codePoint, MAPPED_TO_NOTHING)) continue;
    mapped += inTable(codePoint, NON_ASCII_SPACE) ? " " : character;
  }
  const normalized = mapped.normalize("NFKC");
  for (const character of normalized) {
    if (isProhibited(character.codePointAt(0)!)) return null;
  }
  return normalized;
}

/**
 * The password as SCRAM hashes it. When SASLprep rejects it we hash the text as typed, like
 * PostgreSQL's libpq: a strict server could never have stored such a password, and a lax one
 * stored exactly these characters.
 */
export function preparePassword(password: string): string {
  return saslprep(password) ?? password;
}

/** RFC 5802 saslname: the prepared username with "=" and "," escaped. */
export function saslname(username: string): string {
  return (saslprep(username) ?? username).replace(/=/g, "=3D").replace(/,/g, "=2C");
}

function isProhibited(codePoint: number): boolean {
  return (codePoint & 0xfffe) === 0xfffe || inTable(codePoint, PROHIBITED);
}

function inTable(codePoint: number, table: Range[]): boolean {
  return table.some(([from, to]) => codePoint >= from && codePoint <= to);
}
