import { BIDI_CONTROL, LINK_PROTOCOLS, mailtoQuery } from "../preload/contract/links";
import { WrenError } from "./shared/errors";
import { createLogger } from "./shared/log";

const log = createLogger("app/safe-open-url");

/** Schemes the OS may open for us. Anything else (file:, javascript:, custom handlers) could run code. */
const EXTERNAL_PROTOCOLS = LINK_PROTOCOLS;

/** Longer URLs are refused: Windows' shell truncates past ~2 KB, and no real link needs more. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

// Schemes worth naming in the log. Any other "scheme" may be a user name ("alice:hunter2@host").
const LOGGED_PROTOCOLS = new Set([
  ...EXTERNAL_PROTOCOLS,
  "file:",
  "javascript:",
  "data:",
  "vbscript:",
  "blob:",
  "about:",
  "ftp:",
  "ws:",
  "wss:",
  "smb:",
  "xmpp:",
  "app:",
]);

type Checked = { url: string; refused?: never } | { url?: never; refused: string };

function check(raw: string): Checked {
  if (typeof raw !== "string") return { refused: "not a string" };
  if (raw.length > MAX_EXTERNAL_URL_LENGTH) return { refused: "too long" };
  if (BIDI_CONTROL.test(raw)) return { refused: "bidirectional controls" };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refused: "unparsable" };
  }
  if (!EXTERNAL_PROTOCOLS.has(url.protocol)) return { refused: "not a web or mail link" };
  if (url.username !== "" || url.password !== "") return { refused: "user name or password" };
  if (url.protocol === "mailto:") {
    if (url.pathname === "") return { refused: "no address" };
    url.search = mailtoQuery(url.search);
    url.hash = "";
  } else if (url.hostname === "") {
    return { refused: "no host" };
  }
  if (url.href.length > MAX_EXTERNAL_URL_LENGTH) return { refused: "too long" };
  return { url: url.href };
}

/**
 * The URL to hand to the OS, normalised by the URL parser, or null when it must not leave Wren:
 * not http/https/mailto, unparsable, too long, carrying credentials or bidirectional controls, or
 * a web URL without a host. A mailto URL keeps only its address and to, cc, subject and body.
 */
export function externalUrl(raw: string): string | null {
  return check(raw).url ?? null;
}

/**
 * What the log may say about a URL: its scheme and host. Never a user name, password, path,
 * query or fragment (they may carry tokens), nor a mail address.
 */
export function urlForLog(raw: string): string {
  if (typeof raw !== "string") return "not a string";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `unparsable URL of ${raw.length} characters`;
  }
  if (!LOGGED_PROTOCOLS.has(url.protocol)) return "URL of some other scheme";
  return url.host === "" ? url.protocol : `${url.protocol}//${url.host}`;
}

export type OpenExternal = (url: string) => Promise<void>;

/**
 * Wraps Electron's `shell.openExternal` so that only safe URLs reach it. Refusals reject with a
 * WrenError the UI can show.
 */
export function createSafeOpenUrl(shellOpenExternal: (url: string) => Promise<void>): OpenExternal {
  return async (raw) => {
    const { url, refused } = check(raw);
    if (url === undefined) {
      log.warn(`refused to open a URL outside Wren (${refused})`, { url: urlForLog(raw) });
      throw new WrenError("invalid-argument", "Wren only opens web and email links.");
    }
    try {
      await shellOpenExternal(url);
    } catch (error) {
      // The OS's message may quote the URL, query and all.
      const reason = error instanceof Error ? error.message : String(error);
      log.warn("the OS could not open a URL", {
        url: urlForLog(url),
        reason: reason.replaceAll(url, urlForLog(url)),
      });
      throw new WrenError("not-available", "No application on this computer opens this link.", {
        cause: error,
      });
    }
  };
}
