// Maps and Sets here are deliberately plain: values published by replacing a $state.raw field once
// per batch, or bookkeeping that no template reads.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { FileInfo, Transfer, TransferState } from "../../../preload/contract";
import { BoundedCache } from "../files/bounded-cache";
import type { DecodedPreview } from "../files/preview-image";
import { contactKey } from "./roster.svelte";

/**
 * A file the page is still handing over to main (read, or streamed in chunks), or could not hand
 * over: it has no transfer in main yet, so it is kept here, with the file, to try again.
 */
export interface LocalUpload {
  id: string;
  accountId: string;
  peer: string;
  name: string;
  size: number;
  /** Bytes main has so far. */
  staged: number;
  state: "preparing" | "failed" | "cancelled";
  error: string | null;
  canRetry: boolean;
}

/** A row of a conversation's list of files being sent: main's upload, or a local one. */
export interface UploadRow {
  id: string;
  name: string;
  size: number | null;
  transferred: number;
  /** Bytes per second; null while unknown. */
  rate: number | null;
  state: "preparing" | TransferState;
  error: string | null;
  canRetry: boolean;
}

/** File details and previews kept at once (each preview holds a small decoded image). */
export const FILE_INFO_CACHED = 200;
export const PREVIEWS_CACHED = 100;
/** Ids of transfers taken off the list that are remembered, so a late reply cannot bring one back. */
const GONE_REMEMBERED = 1_000;

/** Names a message's file in the caches. */
export function fileKey(accountId: string, messageId: string): string {
  return contactKey(accountId, messageId);
}

/**
 * Uploads and downloads as main reports them (snapshot, then "transfers" events), the files the
 * page is still handing over, what the conversations' file cards asked of main (details,
 * previews), and notes for the person about files that were not sent at all.
 */
export class TransfersState {
  #transfers = $state.raw<ReadonlyMap<string, Transfer>>(new Map());
  #local = $state.raw<ReadonlyMap<string, LocalUpload>>(new Map());
  /** By conversation key. */
  #notices = $state.raw<ReadonlyMap<string, string>>(new Map());
  #gone = new Set<string>();
  readonly info = new BoundedCache<FileInfo | null>(FILE_INFO_CACHED);
  readonly previews = new BoundedCache<DecodedPreview | null>(PREVIEWS_CACHED, (preview) =>
    preview?.bitmap.close(),
  );

  /** Main's transfers by id, in the order they started. */
  get all(): ReadonlyMap<string, Transfer> {
    return this.#transfers;
  }

  get(id: string): Transfer | undefined {
    return this.#transfers.get(id);
  }

  /**
   * Main's transfers at start. Returns the ids of finished uploads: their message is in the
   * conversation now, so the caller has main take them off its list.
   */
  setAll(transfers: readonly Transfer[]): string[] {
    this.#transfers = new Map();
    return this.apply(transfers, []);
  }

  /** One "transfers" event; returns the ids of uploads that finished (see setAll). */
  apply(changed: readonly Transfer[], removed: readonly string[]): string[] {
    const next = new Map(this.#transfers);
    const finished: string[] = [];
    for (const id of removed) {
      next.delete(id);
      this.#forget(id);
    }
    for (const transfer of changed) {
      if (this.#gone.has(transfer.id)) continue;
      if (transfer.direction === "upload" && transfer.state === "done") {
        next.delete(transfer.id);
        this.#forget(transfer.id);
        finished.push(transfer.id);
      } else {
        next.set(transfer.id, transfer);
      }
    }
    this.#transfers = next;
    return finished;
  }

  /**
   * A transfer a command answered with (sendFile, downloadFile, retryTransfer). Events may have
   * told of it already, newer: then it is left as they told it; once off the list, it stays off.
   * With `replacing`, the local upload it came from leaves in the same update.
   */
  add(transfer: Transfer, replacing?: string): void {
    if (replacing !== undefined) this.removeLocal(replacing);
    if (this.#gone.has(transfer.id) || this.#transfers.has(transfer.id)) return;
    const next = new Map(this.#transfers);
    next.set(transfer.id, transfer);
    this.#transfers = next;
  }

  /** Retrying an upload starts it afresh: main's answer replaces what was known. */
  replace(transfer: Transfer): void {
    if (this.#gone.has(transfer.id)) return;
    const next = new Map(this.#transfers);
    next.set(transfer.id, transfer);
    this.#transfers = next;
  }

  /** Takes a transfer off the list at once (dismissed); main's event follows. */
  remove(id: string): void {
    this.#forget(id);
    if (!this.#transfers.has(id)) return;
    const next = new Map(this.#transfers);
    next.delete(id);
    this.#transfers = next;
  }

  /** Shows why a command about a transfer failed (a retry refused, say), in its row. */
  setError(id: string, error: string): void {
    const transfer = this.#transfers.get(id);
    if (!transfer) return;
    const next = new Map(this.#transfers);
    next.set(id, { ...transfer, error });
    this.#transfers = next;
  }

  // Files the page is handing over

  local(id: string): LocalUpload | undefined {
    return this.#local.get(id);
  }

  putLocal(upload: LocalUpload): void {
    const next = new Map(this.#local);
    next.set(upload.id, upload);
    this.#local = next;
  }

  updateLocal(id: string, change: Partial<Omit<LocalUpload, "id">>): void {
    const upload = this.#local.get(id);
    if (upload) this.putLocal({ ...upload, ...change });
  }

  removeLocal(id: string): void {
    if (!this.#local.has(id)) return;
    const next = new Map(this.#local);
    next.delete(id);
    this.#local = next;
  }

  // Queries

  /**
   * What the conversation's list of files being sent shows: main's uploads that run, failed or
   * were cancelled, then the files still being handed over (or that could not be).
   */
  forConversation(accountId: string, peer: string): readonly UploadRow[] {
    const rows: UploadRow[] = [];
    for (const t of this.#transfers.values()) {
      if (t.direction !== "upload" || t.accountId !== accountId || t.peer !== peer) continue;
      rows.push({
        id: t.id,
        name: t.name,
        size: t.size,
        transferred: t.transferred,
        rate: t.rate,
        state: t.state,
        error: t.error,
        canRetry: t.canRetry,
      });
    }
    for (const u of this.#local.values()) {
      if (u.accountId !== accountId || u.peer !== peer) continue;
      rows.push({
        id: u.id,
        name: u.name,
        size: u.size,
        transferred: u.staged,
        rate: null,
        state: u.state,
        error: u.error,
        canRetry: u.canRetry,
      });
    }
    return rows;
  }

  /** The newest download of the message's file, if any is on the list. */
  downloadOf(accountId: string, messageId: string): Transfer | null {
    let newest: Transfer | null = null;
    for (const t of this.#transfers.values()) {
      if (t.direction === "download" && t.accountId === accountId && t.messageId === messageId) {
        newest = t;
      }
    }
    return newest;
  }

  // Notes about files not sent

  /** A note for the conversation's list (files left out of a drop), or null. */
  notice(accountId: string, peer: string): string | null {
    return this.#notices.get(contactKey(accountId, peer)) ?? null;
  }

  setNotice(accountId: string, peer: string, text: string | null): void {
    const key = contactKey(accountId, peer);
    if (text === null && !this.#notices.has(key)) return;
    const next = new Map(this.#notices);
    if (text === null) next.delete(key);
    else next.set(key, text);
    this.#notices = next;
  }

  /** Forgets everything of a removed account. */
  removeAccount(accountId: string): void {
    const transfers = [...this.#transfers.values()].filter((t) => t.accountId !== accountId);
    if (transfers.length !== this.#transfers.size) {
      this.#transfers = new Map(transfers.map((t) => [t.id, t]));
    }
    const local = [...this.#local.values()].filter((u) => u.accountId !== accountId);
    if (local.length !== this.#local.size) this.#local = new Map(local.map((u) => [u.id, u]));
    const prefix = contactKey(accountId, "");
    const notices = [...this.#notices].filter(([key]) => !key.startsWith(prefix));
    if (notices.length !== this.#notices.size) this.#notices = new Map(notices);
    this.info.forgetPrefix(prefix);
    this.previews.forgetPrefix(prefix);
  }

  #forget(id: string): void {
    this.#gone.add(id);
    if (this.#gone.size > GONE_REMEMBERED) {
      this.#gone.delete(this.#gone.values().next().value as string);
    }
  }
}
