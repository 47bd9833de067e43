import type { Attachment, FileInfo, FilePreview } from "../../preload/contract";
import { WrenError } from "../shared/errors";
import { FetchError, type FetchOptions, type FileHead } from "./fetch-file";

export interface FilePreviewDeps {
  attachmentOf(accountId: string, peer: string, messageId: string): Promise<Attachment>;
  ownServer(accountId: string): string;
  head(url: URL, options: FetchOptions): Promise<FileHead>;
  fetchSmall(
    url: URL,
    options: FetchOptions & { maxBytes: number },
  ): Promise<{ bytes: Buffer; mediaType: string | null } | null>;
  /** Images up to this size are fetched for their preview; 0 fetches none. */
  maxPreviewBytes: number;
}

/** Types the page may decode: raster images only (no SVG: it is a document, not a picture). */
const PREVIEWABLE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const MAX_INFO_ENTRIES = 2000;
/** The previews kept in memory, in bytes: scrolling back does not fetch them again. */
const MAX_CACHED_PREVIEW_BYTES = 48 * 1024 * 1024;

/**
 * What the page shows of a file before anyone downloads it: its size and type (HEAD), and for a
 * small image its bytes, fetched by main and handed to the page to decode. Both are remembered
 * by URL for this run.
 */
export class FilePreviews {
  readonly #deps: FilePreviewDeps;
  readonly #info = new Map<string, Promise<FileInfo>>();
  readonly #previews = new Map<string, FilePreview | null>();
  #cachedBytes = 0;

  constructor(deps: FilePreviewDeps) {
    this.#deps = deps;
  }

  async info(accountId: string, peer: string, messageId: string): Promise<FileInfo> {
    const attachment = await this.#deps.attachmentOf(accountId, peer, messageId);
    const cached = this.#info.get(attachment.url);
    if (cached) return cached;
    const asking = this.#deps
      .head(new URL(attachment.url), { ownServer: this.#deps.ownServer(accountId) })
      .then((head) => ({ size: head.size, mediaType: head.mediaType }))
      .catch((error: unknown) => {
        this.#info.delete(attachment.url);
        throw readable(error);
      });
    remember(this.#info, attachment.url, asking, MAX_INFO_ENTRIES);
    return asking;
  }

  async preview(accountId: string, peer: string, messageId: string): Promise<FilePreview | null> {
    const max = this.#deps.maxPreviewBytes;
    if (max <= 0) return null;
    const attachment = await this.#deps.attachmentOf(accountId, peer, messageId);
    if (attachment.size !== null && attachment.size > max) return null;
    const cached = this.#previews.get(attachment.url);
    if (cached !== undefined) return cached;
    const fetched = await this.#deps
      .fetchSmall(new URL(attachment.url), {
        ownServer: this.#deps.ownServer(accountId),
        maxBytes: max,
      })
      .catch((error: unknown) => {
        throw readable(error);
      });
    const preview =
      fetched && fetched.mediaType && PREVIEWABLE.has(fetched.mediaType)
        ? { mediaType: fetched.mediaType, data: fetched.bytes.toString("base64") }
        : null;
    this.#keep(attachment.url, preview);
    return preview;
  }

  #keep(url: string, preview: FilePreview | null): void {
    this.#previews.set(url, preview);
    this.#cachedBytes += preview?.data.length ?? 0;
    for (const [oldest, kept] of this.#previews) {
      if (this.#cachedBytes <= MAX_CACHED_PREVIEW_BYTES) break;
      this.#previews.delete(oldest);
      this.#cachedBytes -= kept?.data.length ?? 0;
    }
  }
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

function readable(error: unknown): unknown {
  return error instanceof FetchError ? new WrenError("not-available", error.message) : error;
}
