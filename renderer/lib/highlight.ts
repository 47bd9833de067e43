/** A piece of text, and whether it matches one of the searched words. */
export interface TextPart {
  text: string;
  match: boolean;
}

/**
 * `text` with the searched words marked, case and accents aside (as the search itself), for
 * rendering as text nodes and <mark>s — never as HTML.
 */
export function highlightParts(text: string, query: string): TextPart[] {
  const words = searchWords(query);
  if (words.length === 0 || text === "") return [{ text, match: false }];
  const { folded, origin } = fold(text);
  const marked = new Uint8Array(text.length + 1);
  for (const word of words) {
    for (let at = folded.indexOf(word); at >= 0; at = folded.indexOf(word, at + word.length)) {
      const start = origin[at] as number;
      const end = origin[at + word.length] as number;
      marked.fill(1, start, end);
    }
  }
  const parts: TextPart[] = [];
  let start = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i === text.length || marked[i] !== marked[start]) {
      parts.push({ text: text.slice(start, i), match: marked[start] === 1 });
      start = i;
    }
  }
  return parts;
}

/**
 * A window of `text` around the first searched word, at most `max` characters, on one line:
 * a result shows where it matched, even in a long message.
 */
export function snippet(text: string, query: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const { folded, origin } = fold(flat);
  const first = searchWords(query)
    .map((word) => folded.indexOf(word))
    .filter((at) => at >= 0)
    .sort((a, b) => a - b)[0];
  const at = first === undefined ? 0 : (origin[first] as number);
  const start = Math.max(0, Math.min(at - Math.floor(max / 3), flat.length - max));
  const end = start + max;
  return `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
}

function searchWords(query: string): string[] {
  return query
    .split(/\s+/)
    .map((word) => fold(word).folded)
    .filter((word) => word !== "");
}

/**
 * `text` lower-cased without accents, and for each position of that the position in `text` it
 * came from (one more entry at the end), so matches found in the folded text mark the original.
 */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = "";
  const origin: number[] = [];
  let at = 0;
  for (const char of text) {
    const plain = char.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    for (let i = 0; i < plain.length; i++) origin.push(at);
    folded += plain;
    at += char.length;
  }
  origin.push(at);
  return { folded, origin };
}
