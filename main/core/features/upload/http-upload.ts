import { errorName, WrenError } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import { parseJid } from "../../jid";
import type { Outbox } from "../../outbox";
import {
  buildSlotRequest,
  describeSlotError,
  formatBytes,
  maxFileSize,
  NS_HTTP_UPLOAD,
  parseSlot,
  UnusableSlotError,
  type Slot,
  type UploadServiceInfo,
} from "../../stanzas/http-upload";
import type { Disco } from "../disco";
import type { Feature, OnlineInfo } from "../feature";
import { PutError, putFile, type PutFile, type PutOptions } from "./http-put";
import { uploadName } from "./upload-name";

export interface HttpUploadDeps {
  /** The account's bare JID: its server's services are asked. */
  account: string;
  disco: Pick<Disco, "infoOf" | "itemsOf">;
  outbox: () => Outbox | null;
  log: Logger;
  /** The PUT itself; tests may replace it. */
  put?: (file: PutFile, options: PutOptions) => Promise<void>;
}

/** A file to upload: a path on disk and what it is. */
export interface UploadFile extends PutFile {
  /** The file's name; only its last component, made safe (uploadName), is told the service. */
  name: string;
}

export interface UploadOptions {
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

/** At most this many of the server's services are asked whether they take uploads. */
const MAX_SERVICES_ASKED = 20;

/**
 * HTTP File Upload (XEP-0363): finds the account's upload service and uploads files to it. The
 * slot is asked for right before the PUT (slots expire), for the exact size and type then sent;
 * its answer counts only from the service asked (the IQ caller checks the sender).
 */
export class HttpUpload implements Feature {
  readonly name = "http-upload";
  #service: Promise<UploadServiceInfo | null> | null = null;

  constructor(private readonly deps: HttpUploadDeps) {}

  online(info: OnlineInfo): Promise<void> {
    // A new session may have a new server configuration: ask again when needed.
    if (!info.resumed) this.#service = null;
    return Promise.resolve();
  }

  /** The upload service and its size limit; null when the server has none. */
  service(): Promise<UploadServiceInfo | null> {
    if (!this.#service) {
      const finding = this.#find();
      this.#service = finding;
      // A failed search (offline, a timeout) is not remembered: the next upload asks again.
      finding.then(
        (found) => {
          if (found === null && this.#service === finding) this.#service = null;
        },
        () => {
          if (this.#service === finding) this.#service = null;
        },
      );
    }
    return this.#service;
  }

  /** Uploads `file`; resolves with the URL it can be fetched from. */
  async upload(file: UploadFile, options: UploadOptions = {}): Promise<string> {
    const slot = await this.slot(file, options.signal);
    const put = this.deps.put ?? putFile;
    try {
      await put(file, {
        url: slot.putUrl,
        headers: slot.headers,
        ...(options.signal && { signal: options.signal }),
        ...(options.onProgress && { onProgress: options.onProgress }),
      });
    } catch (error) {
      throwIfCancelled(options.signal);
      throw new WrenError(
        "upload-failed",
        error instanceof PutError ? error.message : "The upload failed.",
      );
    }
    return slot.getUrl.href;
  }

  /**
   * A slot for `file` from the account's upload service, checked (parseSlot): what upload() PUTs
   * to. Slots expire within minutes; ask right before the PUT.
   */
  async slot(file: UploadFile, signal?: AbortSignal): Promise<Slot> {
    const service = await this.service();
    if (!service) {
      throw new WrenError(
        "not-available",
        "Your server has no file upload service, so Wren cannot send files through it.",
      );
    }
    if (service.maxBytes !== null && file.size > service.maxBytes) {
      throw new WrenError(
        "file-too-large",
        `This file is ${formatBytes(file.size)}; your server takes files of at most ${formatBytes(service.maxBytes)}.`,
      );
    }
    throwIfCancelled(signal);
    const outbox = this.deps.outbox();
    if (!outbox) throw new WrenError("not-signed-in", "Files can be sent once you are online.");
    let slot: Slot;
    try {
      const answer = await outbox.request(
        buildSlotRequest(service.jid, {
          filename: uploadName(file.name),
          size: file.size,
          contentType: file.contentType,
        }),
      );
      slot = parseSlot(answer);
    } catch (error) {
      if (error instanceof UnusableSlotError) {
        this.deps.log.warn("the upload service gave an unusable slot", { reason: error.message });
        throw new WrenError(
          "upload-failed",
          "The server's upload service gave an unusable answer.",
        );
      }
      const refusal = describeSlotError(error);
      if (refusal) {
        throw new WrenError(refusal.tooLarge ? "file-too-large" : "upload-failed", refusal.message);
      }
      this.deps.log.warn("could not get an upload slot", { error: errorName(error) });
      throw new WrenError(
        "upload-failed",
        "The server's upload service did not answer. Try again in a moment.",
      );
    }
    throwIfCancelled(signal);
    return slot;
  }

  /** The server itself, else the first of its services that announces XEP-0363. */
  async #find(): Promise<UploadServiceInfo | null> {
    const domain = parseJid(this.deps.account)?.domain;
    if (!domain) return null;
    const own = await this.deps.disco.infoOf(domain);
    if (own?.features.includes(NS_HTTP_UPLOAD)) return { jid: domain, maxBytes: maxFileSize(own) };
    const items = (await this.deps.disco.itemsOf(domain)) ?? [];
    for (const item of items.slice(0, MAX_SERVICES_ASKED)) {
      if (item.node) continue;
      const info = await this.deps.disco.infoOf(item.jid);
      if (info?.features.includes(NS_HTTP_UPLOAD)) {
        return { jid: item.jid, maxBytes: maxFileSize(info) };
      }
    }
    this.deps.log.info("the server has no upload service");
    return null;
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WrenError("cancelled", "The upload was cancelled.");
}
