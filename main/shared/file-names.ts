// What every name a file gets from elsewhere goes through: the name an upload is announced
// under (core/features/upload/upload-name.ts), the name a download is saved under
// (files/save-name.ts).

// C0 and C1 controls, DEL, the byte order mark, and the bidirectional formatting characters that
// make "evil‮fdp.exe" read as "evilexe.pdf".
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** The last component of a path, with / or \ as separator. */
export function lastComponent(name: string): string {
  return name.split(/[/\\]/).pop() ?? "";
}

/** `text` without control or bidi formatting characters. */
export function withoutUnsafeCharacters(text: string): string {
  return text.replace(UNSAFE, "");
}

/**
 * `name` cut to at most `max` UTF-16 units, keeping an extension of up to 15 characters, and
 * never half an emoji (a cut between the halves of a surrogate pair drops both).
 */
export function shortenKeepingExtension(name: string, max: number): string {
  if (name.length <= max) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  const stem = name.slice(0, max - extension.length).replace(/[\uD800-\uDBFF]$/, "");
  return stem + extension;
}
