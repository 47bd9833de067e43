import type { CommandArgs, CommandName, CommandResult } from "./commands";
import type { WrenEvent } from "./events";
import type { Envelope } from "./types";

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
};
