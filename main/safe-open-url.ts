import { WrenError } from "./shared/errors";
import { createLogger } from "./shared/log";

const log = createLogger("app/safe-open-url");

/** Schemes the OS may open for us. Anything else (file:, javascript:, custom handlers) could run code. */
const EXTERNAL_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** Longer URLs are refused: Windows' shell truncates past ~2 KB, and no real link needs more. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * The URL to hand to the OS, normalised by the URL parser, or null when it must not leave Wren:
 * not http/https/mailto, unparsable, too long, carrying credentials, or a web URL without a host.
 */
export function externalUrl(raw: string): string | null {
  if (typeof raw !== "string" || raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!EXTERNAL_PROTOCOLS.has(url.protocol)) return null;
  if (url.username !== "" || url.password !== "") return null;
  if (url.protocol === "mailto:" ? url.pathname === "" : url.hostname === "") return null;
  if (url.href.length > MAX_EXTERNAL_URL_LENGTH) return null;
  return url.href;
}

export type OpenExternal = (url: string) => Promise<void>;

/**
 * Wraps Electron's `shell.openExternal` so that only safe URLs reach it. Refusals reject with a
 * WrenError the UI can show.
 */
export function createSafeOpenUrl(shellOpenExternal: (url: string) => Promise<void>): OpenExternal {
  return async (raw) => {
    const url = externalUrl(raw);
    if (url === null) {
      log.warn("refused to open a URL outside Wren", { url: raw.slice(0, 200) });
      throw new WrenError("invalid-argument", "Wren only opens web and email links.");
    }
    try {
      await shellOpenExternal(url);
    } catch (error) {
      log.warn("the OS could not open a URL", error);
      throw new WrenError("not-available", "No application on this computer opens this link.", {
        cause: error,
      });
    }
  };
}
