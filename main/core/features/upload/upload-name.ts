/** Longest name the upload service is told (in UTF-16 units; the extension is kept). */
const MAX_NAME = 200;

// C0 and C1 controls, DEL, and the bidirectional formatting characters that can make
// "evil‮fdp.exe" read as "evilexe.pdf".
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The name a file is announced under: its last path component only, without control or bidi
 * characters, without leading dots (a hidden file on the receiver's side), at most MAX_NAME long
 * with its extension kept; "file" when nothing is left.
 */
export function uploadName(name: string): string {
  const last = name.split(/[/\\]/).pop() ?? "";
  let safe = last.replace(UNSAFE, "").trim().replace(/^\.+/, "").trim();
  if (safe.length > MAX_NAME) {
    const dot = safe.lastIndexOf(".");
    const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : "";
    // Never half an emoji: a cut between the two halves of a surrogate pair drops both.
    const stem = safe.slice(0, MAX_NAME - extension.length).replace(/[\uD800-\uDBFF]$/, "");
    safe = stem + extension;
  }
  return safe || "file";
}
