import {
  commandChannel,
  commandNames,
  STAGE_FILE_CHANNEL,
  stageFileArgs,
  type Envelope,
  type StagedFile,
} from "../preload/contract";
import { toUserError } from "./shared/errors";
import type { Dispatch } from "./api/dispatch";
import { createLogger } from "./shared/log";
import type { IsOwnUrl } from "./own-origin";
import { urlForLog } from "./safe-open-url";

const log = createLogger("app/ipc");

/** A frame as IPC reports it; Electron's WebFrameMain satisfies it. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/** The part of an IPC invoke event the sender check reads. */
export interface InvokeEvent {
  /** Null when the frame navigated away or was destroyed before we looked. */
  readonly senderFrame: SenderFrame | null;
}

/** The part of ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export type IsTrustedSender = (event: InvokeEvent) => boolean;

/** Trusted: the top frame of Wren's own page. Subframes and any other page are not. */
export function createSenderCheck(isOwnUrl: IsOwnUrl): IsTrustedSender {
  return (event) => {
    const frame = event.senderFrame;
    return frame !== null && frame.parent === null && isOwnUrl(frame.url);
  };
}

const UNTRUSTED: Envelope<never> = {
  ok: false,
  error: { code: "not-available", message: "This page may not use Wren's commands." },
};

/**
 * One `ipcMain.handle` per command of the contract. Each checks who is asking before anything else,
 * then hands the raw arguments to `dispatch`, which validates them and returns the envelope.
 */
export function registerCommands(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  isTrustedSender: IsTrustedSender,
): void {
  for (const name of commandNames) {
    ipcMain.handle(commandChannel(name), async (event, args) => {
      if (!isTrustedSender(event)) {
        log.warn("refused a command from an untrusted frame", {
          command: name,
          url: event.senderFrame ? urlForLog(event.senderFrame.url) : null,
        });
        return UNTRUSTED;
      }
      try {
        return await dispatch(name, args);
      } catch (error) {
        // dispatch never throws; if it ever does, the renderer still gets an envelope.
        log.error("dispatch threw", { command: name }, error);
        return {
          ok: false,
          error: { code: "internal", message: "Something went wrong inside Wren." },
        } satisfies Envelope<never>;
      }
    });
  }
}

export function removeCommands(ipcMain: IpcMainLike): void {
  for (const name of commandNames) ipcMain.removeHandler(commandChannel(name));
}

export function removeFileStaging(ipcMain: IpcMainLike): void {
  ipcMain.removeHandler(STAGE_FILE_CHANNEL);
}

export type StageFromDisk = (path: string, name: string, mediaType: string) => Promise<StagedFile>;

/**
 * Preload's channel for a dropped or picked file's path (see preload/api.ts). Checked like the
 * commands: only Wren's own top frame, and arguments of the declared shape.
 */
export function registerFileStaging(
  ipcMain: IpcMainLike,
  stage: StageFromDisk,
  isTrustedSender: IsTrustedSender,
): void {
  ipcMain.handle(STAGE_FILE_CHANNEL, async (event, args): Promise<Envelope<StagedFile>> => {
    if (!isTrustedSender(event)) {
      log.warn("refused a file from an untrusted frame");
      return UNTRUSTED;
    }
    const parsed = stageFileArgs.safeParse(args);
    if (!parsed.success) {
      return { ok: false, error: { code: "invalid-argument", message: "Invalid request." } };
    }
    try {
      const { path, name, mediaType } = parsed.data;
      return { ok: true, value: await stage(path, name, mediaType) };
    } catch (error) {
      return { ok: false, error: toUserError(error) };
    }
  });
}
