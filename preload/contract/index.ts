import type { CommandArgs, CommandName, CommandResult } from "./commands";
import type { WrenEvent } from "./events";
import type { Envelope, StagedFile } from "./types";

export * from "./commands";
export * from "./events";
export * from "./limits";
export type * from "./types";

/** The API the renderer sees as `window.wren`, in Electron (preload) and in the browser preview alike. */
export type WrenApi = {
  [K in CommandName]: (args: CommandArgs<K>) => Promise<Envelope<CommandResult<K>>>;
} & {
  /** Subscribe to batched events from main; returns the unsubscribe function. */
  onEvents(listener: (events: WrenEvent[]) => void): () => void;
  /**
   * Electron only: hands main a dropped or picked file by its path on disk, which the page never
   * sees. Null when the file has none (a pasted image): send its bytes instead (beginFile).
   */
  stageFileFromDisk?(file: File): Promise<Envelope<StagedFile> | null>;
};
