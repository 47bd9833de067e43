/** A piece of a message body: plain text, or a link that may be opened outside the app. */
export type Segment = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

// Only these schemes ever become links; anything else (javascript:, data:, file:…) stays text.
const LINK_CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_]+$/;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL to open for `candidate`, or null unless it parses as http, https or mailto. */
export function safeHref(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol !== "mailto:" && url.hostname === "") return null;
  if (url.protocol === "mailto:" && url.pathname === "") return null;
  return url.href;
}

/** Splits `body` into text and link segments; joining every segment's text gives `body` back. */
export function segmentText(body: string): Segment[] {
  const segments: Segment[] = [];
  let textStart = 0;
  for (const match of body.matchAll(LINK_CANDIDATE)) {
    const start = match.index;
    const raw = trimLink(match[0]);
    const href = safeHref(raw);
    if (!href) continue;
    if (start > textStart) segments.push({ kind: "text", text: body.slice(textStart, start) });
    segments.push({ kind: "link", text: raw, href });
    textStart = start + raw.length;
  }
  if (textStart < body.length) segments.push({ kind: "text", text: body.slice(textStart) });
  return segments;
}

// "see (https://example.org/a_(b))." → keep balanced brackets, drop the sentence's punctuation.
function trimLink(raw: string): string {
  let link = raw;
  for (;;) {
    const trimmed = link.replace(TRAILING_PUNCTUATION, "");
    const last = trimmed.at(-1);
    const open = last === ")" ? "(" : last === "]" ? "[" : last === "}" ? "{" : null;
    if (open && count(trimmed, open) < count(trimmed, last as string)) {
      link = trimmed.slice(0, -1);
      continue;
    }
    return trimmed;
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
