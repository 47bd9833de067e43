import type { Attachment } from "../../../../preload/contract";
import { uploadName } from "../upload/upload-name";

/** Longest file URL kept; longer ones stay plain text. */
const MAX_URL_LENGTH = 4096;
/** A last path segment that names a file: a name, a dot, and a short extension. */
const FILE_NAME = /^[^.].*\.[a-z0-9]{1,8}$/i;

/**
 * The file a message carries: its XEP-0066 URL, or else a body that is exactly one https URL
 * whose path ends in a file name (a lone link to a page stays a link). Only https URLs, without
 * credentials; the name shown is the URL's last segment, made safe. Size and type are unknown
 * until the file is asked about.
 */
export function attachmentOf(body: string, oobUrl: string | null): Attachment | null {
  const candidate = oobUrl ?? body.trim();
  if (candidate.length > MAX_URL_LENGTH || /\s/.test(candidate)) return null;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.username || url.password) return null;
  const last = lastSegment(url);
  if (oobUrl === null && !FILE_NAME.test(last)) return null;
  return { url: url.href, name: uploadName(last), size: null, mediaType: null };
}

function lastSegment(url: URL): string {
  const raw = url.pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
