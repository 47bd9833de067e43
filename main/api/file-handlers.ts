import type { Attachment, StagedFile, Transfer } from "../../preload/contract";
import { parseJid, toBareJid } from "../core/jid";
import { WrenError } from "../shared/errors";
import {
  downloadFile,
  fetchSmallFile,
  headFile,
  type DownloadOptions,
  type Downloaded,
} from "../files/fetch-file";
import { FilePreviews } from "../files/file-previews";
import { DEFAULT_MAX_PREVIEW_BYTES } from "../files/preview-limit";
import { markDownloaded } from "../files/quarantine";
import { FileStaging } from "../files/staging";
import { Transfers } from "../files/transfers";
import type { Handlers } from "./dispatch";
import { requireOnline, requireState, type ServiceContext } from "./service-context";

/** Where files go and how the host opens them: what differs between Electron and the preview. */
export interface FileOptions {
  /** Copies of files the page streams wait here until they are sent. */
  stagingDir: string;
  /** Folders whose files are never sent (Wren's data folder). */
  protectedDirs: readonly string[];
  /** Where downloads are saved. */
  downloadsDir: string;
  /** Images up to this size are fetched for a preview as they are shown; 0 turns that off. */
  maxPreviewBytes?: number;
  /** No download is larger than this. */
  maxDownloadBytes?: number;
  /** Opens a file with the system's application for it. */
  openPath: (path: string) => Promise<void>;
  /** Shows a file in the system's file manager. */
  showInFolder: (path: string) => Promise<void>;
  /** For tests: the fetching parts and the OS's downloaded mark. */
  download?: (url: URL, options: DownloadOptions) => Promise<Downloaded>;
  markDownloaded?: (path: string, from: URL) => Promise<unknown>;
  progressIntervalMs?: number;
}

export type FileHandlers = Pick<
  Handlers,
  | "beginFile"
  | "appendFile"
  | "finishFile"
  | "discardFile"
  | "sendFile"
  | "cancelTransfer"
  | "retryTransfer"
  | "dismissTransfer"
  | "fileInfo"
  | "filePreview"
  | "downloadFile"
  | "openDownload"
  | "showDownload"
>;

export interface FileService {
  handlers: FileHandlers;
  /** Electron's preload hands a dropped file over by its path (see stageFileFromDisk). */
  stageFromDisk(path: string, name: string, mediaType: string): Promise<StagedFile>;
  transfers(): Transfer[];
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 ** 3;

/** A peer as conversations are kept: its bare JID. */
const bare = (jid: string) => toBareJid(jid) ?? jid;

/** Sending files (upload, then a message), and the files messages carry: previews, downloads. */
export function createFileService(context: ServiceContext, options: FileOptions): FileService {
  const staging = new FileStaging({
    dir: options.stagingDir,
    protectedDirs: options.protectedDirs,
  });

  const attachmentOf = async (accountId: string, peer: string, messageId: string) => {
    const around = await requireState(context, accountId).chat.history(
      bare(peer),
      { around: messageId },
      3,
    );
    const attachment = around.find((message) => message.id === messageId)?.attachment;
    if (!attachment) throw new WrenError("invalid-argument", "That message carries no file.");
    return attachment;
  };
  const ownServer = (accountId: string) => {
    const jid = requireState(context, accountId).jid;
    return parseJid(jid)?.domain ?? jid;
  };

  const transfers = new Transfers({
    upload: (accountId, file, uploadOptions) => {
      requireOnline(context, accountId);
      return requireState(context, accountId).upload.upload(file, uploadOptions);
    },
    async sendFile(accountId: string, to: string, attachment: Attachment) {
      const message = await requireState(context, accountId).chat.sendFile(to, attachment);
      // The page learns of its own text messages from sendMessage's answer; of a file, here.
      context.push({ type: "messages", accountId, messages: [message] });
      return message;
    },
    attachmentOf,
    ownServer,
    download: options.download ?? downloadFile,
    downloadsDir: options.downloadsDir,
    maxDownloadBytes: options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
    markDownloaded: options.markDownloaded ?? ((path, from) => markDownloaded(path, from)),
    openPath: options.openPath,
    showInFolder: options.showInFolder,
    emit: (changed, removed) => context.push({ type: "transfers", changed, removed }),
    now: () => performance.now(),
    log: context.log,
    ...(options.progressIntervalMs !== undefined && {
      progressIntervalMs: options.progressIntervalMs,
    }),
  });

  const previews = new FilePreviews({
    attachmentOf,
    ownServer,
    head: headFile,
    fetchSmall: fetchSmallFile,
    maxPreviewBytes: options.maxPreviewBytes ?? DEFAULT_MAX_PREVIEW_BYTES,
  });

  return {
    handlers: {
      beginFile: async ({ name, size, mediaType }) => ({
        token: await staging.begin(name, size, mediaType),
      }),
      appendFile: ({ token, offset, data }) => staging.append(token, offset, data),
      finishFile: ({ token }) => staging.finish(token),
      discardFile: ({ token }) => staging.discard(token),
      sendFile: async ({ accountId, to, token }) => {
        requireState(context, accountId);
        return transfers.upload(accountId, bare(to), staging.take(token));
      },
      cancelTransfer: ({ id }) => transfers.cancel(id),
      retryTransfer: ({ id }) => transfers.retry(id),
      dismissTransfer: ({ id }) => transfers.dismiss(id),
      fileInfo: ({ accountId, peer, messageId }) => previews.info(accountId, peer, messageId),
      filePreview: ({ accountId, peer, messageId }) => previews.preview(accountId, peer, messageId),
      downloadFile: ({ accountId, peer, messageId }) =>
        transfers.download(accountId, bare(peer), messageId),
      openDownload: ({ id }) => transfers.open(id),
      showDownload: ({ id }) => transfers.showInFolder(id),
    },
    stageFromDisk: (path, name, mediaType) => staging.fromDisk(path, name, mediaType),
    transfers: () => transfers.list(),
    start: () => staging.start(),
    async dispose() {
      await transfers.dispose();
      await staging.dispose();
    },
  };
}
