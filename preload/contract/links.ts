// What main (which opens links) and the page (which shows them) agree on about links in messages.

/** Schemes that may become links and leave Wren; anything else (file:, javascript:…) could run code. */
export const LINK_PROTOCOLS: ReadonlySet<string> = new Set(["http:", "https:", "mailto:"]);

// Mail clients honour more than these (some attach a local file for `attach=`); nothing else is kept.
const MAILTO_FIELDS = new Set(["to", "cc", "subject", "body"]);

/**
 * Embeddings, overrides, isolates and the three marks. A URL needs none of them (its right-to-left
 * parts display correctly without); inside one they only make it read as another URL.
 */
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

/** `search` ("?a=1&b=2") with only the allowed mailto fields, names compared case-insensitively. */
export function mailtoQuery(search: string): string {
  const kept = search
    .slice(1)
    .split("&")
    .filter((field) => {
      const name = field.split("=", 1)[0]!;
      try {
        return MAILTO_FIELDS.has(decodeURIComponent(name).toLowerCase());
      } catch {
        return false; // malformed percent-encoding
      }
    })
    // RFC 6068 has no bare "?" in a field; a lenient client might start new fields at one.
    .map((field) => field.replaceAll("?", "%3F"));
  return kept.length > 0 ? `?${kept.join("&")}` : "";
}
