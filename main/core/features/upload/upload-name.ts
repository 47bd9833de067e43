import {
  lastComponent,
  shortenKeepingExtension,
  withoutUnsafeCharacters,
} from "../../../shared/file-names";

/** Longest name the upload service is told (in UTF-16 units; the extension is kept). */
const MAX_NAME = 200;

/**
 * The name a file is announced under: its last path component only, without control or bidi
 * characters, without leading dots (a hidden file on the receiver's side), at most MAX_NAME long
 * with its extension kept; "file" when nothing is left.
 */
export function uploadName(name: string): string {
  const safe = withoutUnsafeCharacters(lastComponent(name)).trim().replace(/^\.+/, "").trim();
  return shortenKeepingExtension(safe, MAX_NAME) || "file";
}
