import sanitize from "sanitize-filename";
import {
  lastComponent,
  shortenKeepingExtension,
  withoutUnsafeCharacters,
} from "../shared/file-names";

/**
 * Longest saved name, in UTF-16 units: file systems allow 255 bytes, and UTF-8 needs up to 3 bytes
 * a unit (sanitize-filename cuts at 255 bytes, which could cut the extension off).
 */
const MAX_NAME = 80;

/**
 * The name a downloaded file is saved under, from the name the network gave (hostile until shown
 * otherwise): its last path component, without control or bidi characters, without leading dots
 * (a hidden file) or trailing dots and spaces (Windows drops them), not a reserved device name
 * (CON, NUL, …), at most MAX_NAME long with its extension kept. When the sniffed type has an
 * extension the name does not end in, it is added, so "invoice.pdf" that is a program is saved
 * as "invoice.pdf.exe" and shows what it is. "download" when nothing is left.
 */
export function saveName(given: string, sniffedExtension: string | null = null): string {
  // sanitize-filename keeps C1 controls and bidi characters, and cuts at 255 bytes.
  const safe = shortenKeepingExtension(withoutUnsafeCharacters(lastComponent(given)), MAX_NAME);
  let name = sanitize(safe, { replacement: "" })
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  if (!name) name = "download";
  if (sniffedExtension && !hasExtension(name, sniffedExtension)) {
    name = `${name}.${sniffedExtension}`;
  }
  return shortenKeepingExtension(name, MAX_NAME);
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

/** "name.ext", "name (1).ext", "name (2).ext", …: the n-th name to try when others exist. */
export function numbered(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}
