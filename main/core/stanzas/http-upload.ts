import { xml, type Element } from "@xmpp/client";
import type { DiscoInfo } from "../features/disco";

/** XEP-0363 HTTP File Upload. */
export const NS_HTTP_UPLOAD = "urn:xmpp:http:upload:0";
export { NS_OOB } from "./namespaces";

/** Headers of a slot that may go with the PUT (XEP-0363 §5); any other is dropped. */
const ALLOWED_HEADERS = new Map([
  ["authorization", "Authorization"],
  ["cookie", "Cookie"],
  ["expires", "Expires"],
]);

/** Bounds on what a slot may hold: a server's answer is remote-controlled input like any other. */
export const SLOT_LIMITS = {
  url: 4096,
  headerValue: 4096,
  headers: 8,
} as const;

/** What the service said it accepts; `maxBytes` null when it announced no limit. */
export interface UploadServiceInfo {
  jid: string;
  maxBytes: number | null;
}

/** The service's limit, from the extension form of its disco#info (XEP-0363 §4). */
export function maxFileSize(info: DiscoInfo): number | null {
  const form = info.forms.find((candidate) => candidate.formType === NS_HTTP_UPLOAD);
  const value = form?.fields.find((field) => field.var === "max-file-size")?.values[0];
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return null;
  const bytes = Number(value.trim());
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

export interface SlotRequest {
  filename: string;
  size: number;
  contentType: string;
}

/** The slot request (XEP-0363 §5), for the exact size and content type that are then PUT. */
export function buildSlotRequest(service: string, request: SlotRequest): Element {
  return xml(
    "iq",
    { type: "get", to: service },
    xml("request", {
      xmlns: NS_HTTP_UPLOAD,
      filename: request.filename,
      size: String(request.size),
      "content-type": request.contentType,
    }),
  );
}

export interface Slot {
  putUrl: URL;
  getUrl: URL;
  /** Only Authorization, Cookie and Expires, by their canonical names. */
  headers: Record<string, string>;
}

/** Why a slot answer cannot be used; the text is for the log, never shown with the values. */
export class UnusableSlotError extends Error {
  override name = "UnusableSlotError";
}

/**
 * The slot in a result: both URLs https, headers limited to the three XEP-0363 allows, none with
 * a line break (which would let the server smuggle headers of its own into the request).
 */
export function parseSlot(result: Element): Slot {
  const slot = result.getChild("slot", NS_HTTP_UPLOAD);
  if (!slot) throw new UnusableSlotError("the answer holds no slot");
  const put = slot.getChild("put");
  const get = slot.getChild("get");
  const putUrl = httpsUrl(put?.attrs.url, "put");
  const getUrl = httpsUrl(get?.attrs.url, "get");
  const headers: Record<string, string> = {};
  const given = put!.getChildren("header");
  if (given.length > SLOT_LIMITS.headers) throw new UnusableSlotError("too many headers");
  for (const header of given) {
    const name = ALLOWED_HEADERS.get(String(header.attrs.name ?? "").toLowerCase());
    if (!name) continue;
    const value = header.getText();
    if (/[\r\n\0]/.test(value)) throw new UnusableSlotError(`a line break in ${name}`);
    if (value.length > SLOT_LIMITS.headerValue) throw new UnusableSlotError(`${name} too long`);
    headers[name] = value.trim();
  }
  return { putUrl, getUrl, headers };
}

function httpsUrl(value: unknown, which: string): URL {
  if (typeof value !== "string" || value.length === 0 || value.length > SLOT_LIMITS.url) {
    throw new UnusableSlotError(`no usable ${which} URL`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UnusableSlotError(`the ${which} URL is not a URL`);
  }
  if (url.protocol !== "https:") throw new UnusableSlotError(`the ${which} URL is not https`);
  if (url.username || url.password) {
    throw new UnusableSlotError(`the ${which} URL carries credentials`);
  }
  return url;
}

/** A refusal of the upload service, in words a person can act on; null for other errors. */
export function describeSlotError(error: unknown): { tooLarge: boolean; message: string } | null {
  if (!(error instanceof Error) || error.name !== "StanzaError") return null;
  const { condition, element } = error as { condition?: string; element?: Element };
  const tooLarge = element?.getChild("file-too-large", NS_HTTP_UPLOAD);
  if (tooLarge) {
    const max = Number(tooLarge.getChildText("max-file-size"));
    const message =
      Number.isSafeInteger(max) && max > 0
        ? `The server takes files of at most ${formatBytes(max)}.`
        : "The file is larger than the server takes.";
    return { tooLarge: true, message };
  }
  const refused = (message: string) => ({ tooLarge: false, message });
  const retry = element?.getChild("retry", NS_HTTP_UPLOAD)?.attrs.stamp;
  if (retry && Number.isFinite(Date.parse(String(retry)))) {
    const at = new Date(String(retry));
    return refused(
      `You have used up your upload quota for now; try again after ${at.toLocaleString()}.`,
    );
  }
  switch (condition) {
    case "not-allowed":
    case "forbidden":
      return refused("The server does not allow you to upload files.");
    case "resource-constraint":
      return refused("You have used up your upload quota on the server.");
    case "not-acceptable":
    case "bad-request":
      return refused("The server refused this file.");
    case "service-unavailable":
    case "feature-not-implemented":
      return refused("The server's upload service is not available.");
    default:
      return refused(`The server refused the upload (${condition ?? "error"}).`);
  }
}

/** "2.5 MB", "700 kB": decimal units, as file managers show sizes. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}
