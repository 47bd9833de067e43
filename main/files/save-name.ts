import sanitize from "sanitize-filename";

/**
 * Longest saved name, in UTF-16 units: file systems allow 255 bytes, and UTF-8 needs up to 3 bytes
 * a unit (sanitize-filename cuts at 255 bytes, which could cut the extension off).
 */
const MAX_NAME = 80;

// sanitize-filename leaves these: C1 controls, and the bidirectional formatting characters that
// make "evil‮fdp.exe" read as "evilexe.pdf".
const UNSAFE = /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * The name a downloaded file is saved under, from the name the network gave (hostile until shown
 * otherwise): its last path component, without control or bidi characters, without leading dots
 * (a hidden file) or trailing dots and spaces (Windows drops them), not a reserved device name
 * (CON, NUL, …), at most MAX_NAME long with its extension kept. When the sniffed type has an
 * extension the name does not end in, it is added, so "invoice.pdf" that is a program is saved
 * as "invoice.pdf.exe" and shows what it is. "download" when nothing is left.
 */
export function saveName(given: string, sniffedExtension: string | null = null): string {
  const last = given.split(/[/\\]/).pop() ?? "";
  let name = sanitize(shorten(last.replace(UNSAFE, "")), { replacement: "" })
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  if (!name) name = "download";
  if (sniffedExtension && !hasExtension(name, sniffedExtension)) {
    name = `${name}.${sniffedExtension}`;
  }
  return shorten(name);
}

function hasExtension(name: string, extension: string): boolean {
  const lower = name.toLowerCase();
  const same = EQUIVALENT[extension] ?? [extension];
  return same.some((candidate) => lower.endsWith(`.${candidate}`));
}

/** Extensions that name the same type as the one file-type reports. */
const EQUIVALENT: Record<string, string[]> = {
  jpg: ["jpg", "jpeg", "jpe", "jfif"],
  tif: ["tif", "tiff"],
  mp4: ["mp4", "m4v"],
  m4a: ["m4a", "mp4"],
  mov: ["mov", "qt"],
  html: ["html", "htm"],
  heic: ["heic", "heif"],
  ogg: ["ogg", "oga", "ogv", "opus"],
  opus: ["opus", "ogg"],
};

function shorten(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  const stem = name.slice(0, MAX_NAME - extension.length).replace(/[\uD800-\uDBFF]$/, "");
  return stem + extension;
}

/** "name.ext", "name (1).ext", "name (2).ext", …: the n-th name to try when others exist. */
export function numbered(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}
