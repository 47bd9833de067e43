import {
  commandChannel,
  commandNames,
  EVENTS_CHANNEL,
  STAGE_FILE_CHANNEL,
  type Envelope,
  type StagedFile,
  type WrenApi,
  type WrenEvent,
} from "./contract";

/** The parts of Electron's ipcRenderer and webUtils the bridge uses. */
export interface PreloadDeps {
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
    removeListener(
      channel: string,
      listener: (event: unknown, ...args: unknown[]) => void,
    ): unknown;
  };
  webUtils: { getPathForFile(file: File): string };
}

/**
 * What the page gets as `window.wren`. One function per command, generated from the contract so
 * no channel name is written twice; the renderer gets no generic invoke or send, only what the
 * contract declares.
 *
 * The one exception is stageFileFromDisk: main needs a dropped file's path, which the page must
 * never be able to choose. Preload asks Electron for the path of a real File (webUtils returns ""
 * for a File the page made up), so main only ever hears of files the person dropped or picked.
 */
export function createPreloadApi({ ipcRenderer, webUtils }: PreloadDeps): WrenApi {
  const commandFunctions = Object.fromEntries(
    commandNames.map((name) => [
      name,
      (args: unknown) => ipcRenderer.invoke(commandChannel(name), args),
    ]),
  );
  return {
    ...commandFunctions,
    onEvents(listener: (events: WrenEvent[]) => void) {
      const wrapped = (_event: unknown, ...args: unknown[]) => listener(args[0] as WrenEvent[]);
      ipcRenderer.on(EVENTS_CHANNEL, wrapped);
      return () => {
        ipcRenderer.removeListener(EVENTS_CHANNEL, wrapped);
      };
    },
    async stageFileFromDisk(file: File): Promise<Envelope<StagedFile> | null> {
      const path = webUtils.getPathForFile(file);
      if (!path) return null;
      return (await ipcRenderer.invoke(STAGE_FILE_CHANNEL, {
        path,
        name: file.name,
        mediaType: file.type,
      })) as Envelope<StagedFile>;
    },
  } as WrenApi;
}
