import type { FileInfo, Transfer } from "../../../preload/contract";
import type { Result, WrenApp } from "../state/app.svelte";
import { fileKey } from "../state/transfers.svelte";
import type { DecodedPreview } from "./preview-image";

/**
 * What a file card in one conversation may ask and do, by message id: the timeline hands this to
 * its rows instead of the whole app.
 */
export interface ConversationFiles {
  /** The newest download of the message's file (reactive: read it in a template or $derived). */
  downloadOf(messageId: string): Transfer | null;
  /** The file's size and type as its server tells (asked once); null when it cannot tell. */
  info(messageId: string): Promise<FileInfo | null>;
  /** The answer of `info` when it has arrived, so a card shown again has it at once. */
  knownInfo(messageId: string): FileInfo | null | undefined;
  /** The image decoded for its preview (asked once); null when there is none. */
  preview(messageId: string): Promise<DecodedPreview | null>;
  knownPreview(messageId: string): DecodedPreview | null | undefined;
  download(messageId: string): Promise<Result>;
  cancel(transferId: string): void;
  open(transferId: string): Promise<Result>;
  show(transferId: string): Promise<Result>;
}

export function conversationFiles(
  app: WrenApp,
  accountId: string,
  peer: string,
): ConversationFiles {
  return {
    downloadOf: (messageId) => app.transfers.downloadOf(accountId, messageId),
    info: (messageId) => app.fileInfo(accountId, peer, messageId),
    knownInfo: (messageId) => app.transfers.info.peek(fileKey(accountId, messageId)),
    preview: (messageId) => app.filePreview(accountId, peer, messageId),
    knownPreview: (messageId) => app.transfers.previews.peek(fileKey(accountId, messageId)),
    download: (messageId) => app.downloadFile(accountId, peer, messageId),
    cancel: (transferId) => app.cancelTransfer(transferId),
    open: (transferId) => app.openDownload(transferId),
    show: (transferId) => app.showDownload(transferId),
  };
}
