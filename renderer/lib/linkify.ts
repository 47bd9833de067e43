import { BIDI_CONTROL, LINK_PROTOCOLS, mailtoQuery } from "../../preload/contract/links";

/** A piece of a message body. Joining every segment's text gives the body back. */
export type Segment =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  // A link that hides bidirectional controls: never clickable, shown with the controls visible.
  | { kind: "disguised-link"; text: string; visible: string };

// Only these schemes ever become links; anything else (javascript:, data:, file:…) stays text.
const SAFE_PROTOCOLS = LINK_PROTOCOLS;

const BIDI_CONTROLS = new RegExp(BIDI_CONTROL.source, "g");

/** The URL to open for `candidate`, or null unless it parses as http, https or mailto. */
export function safeHref(candidate: string): string | null {
  if (BIDI_CONTROL.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol === "mailto:") {
    if (url.pathname === "") return null;
    url.search = mailtoQuery(url.search);
    url.hash = "";
  } else if (url.hostname === "") {
    return null;
  }
  return url.href;
}

/** `text` with every bidirectional control replaced by a visible marker such as ⟨U+202E⟩. */
export function revealBidiControls(text: string): string {
  return text.replace(
    BIDI_CONTROLS,
    (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`,
  );
}

// A scheme at a word boundary, then everything up to whitespace, <, > or ". Linear: nothing follows
// the greedy class, so it never backtracks. Its end is trimmed by trimmedLength.
const LINK_CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;

/**
 * Splits `body` into text and link segments; joining every segment's text gives `body` back.
 * Linear in the body's length, whatever it holds: any contact can send one built to be slow.
 */
export function segmentText(body: string): Segment[] {
  const segments: Segment[] = [];
  let textStart = 0;
  for (const match of body.matchAll(LINK_CANDIDATE)) {
    const start = match.index;
    const raw = match[0].slice(0, trimmedLength(match[0]));
    const segment = linkSegment(raw);
    if (!segment) continue;
    if (start > textStart) segments.push({ kind: "text", text: body.slice(textStart, start) });
    segments.push(segment);
    textStart = start + raw.length;
  }
  if (textStart < body.length) segments.push({ kind: "text", text: body.slice(textStart) });
  return segments;
}

function linkSegment(raw: string): Segment | null {
  if (BIDI_CONTROL.test(raw)) {
    return { kind: "disguised-link", text: raw, visible: revealBidiControls(raw) };
  }
  const href = safeHref(raw);
  return href === null ? null : { kind: "link", text: raw, href };
}

// Left out at a link's end: a sentence's punctuation, and direction marks typed after the link.
const TRAILING =
  ".,;:!?'\"*_\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c";
const CLOSERS = ")]}";

/**
 * How much of `candidate` is the link: "see (https://example.org/a_(b))." keeps balanced brackets
 * but neither the trailing punctuation nor a closing bracket without its opener. Brackets are
 * counted once, not once per bracket trimmed, so this is linear.
 */
function trimmedLength(candidate: string): number {
  const balance = bracketBalance(candidate);
  let end = candidate.length;
  for (;;) {
    while (end > 0 && TRAILING.includes(candidate.charAt(end - 1))) end--;
    if (end === 0) return 0;
    const closer = CLOSERS.indexOf(candidate.charAt(end - 1));
    if (closer === -1 || balance[closer]! >= 0) return end;
    balance[closer]!++;
    end--;
  }
}

/** For each kind of bracket, ( [ {, how many more openers than closers `text` has. */
function bracketBalance(text: string): [number, number, number] {
  let parens = 0;
  let squares = 0;
  let braces = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x28) parens++;
    else if (c === 0x29) parens--;
    else if (c === 0x5b) squares++;
    else if (c === 0x5d) squares--;
    else if (c === 0x7b) braces++;
    else if (c === 0x7d) braces--;
  }
  return [parens, squares, braces];
}
