import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import {
  commandChannel,
  commandNames,
  EVENTS_CHANNEL,
  type WrenApi,
  type WrenEvent,
} from "./contract";

// One function per command, generated from the contract so no channel name is written twice.
// The renderer gets no generic invoke/send: it can only call what the contract declares.
const commandFunctions = Object.fromEntries(
  commandNames.map((name) => [
    name,
    (args: unknown) => ipcRenderer.invoke(commandChannel(name), args),
  ]),
);

const api = {
  ...commandFunctions,
  onEvents(listener: (events: WrenEvent[]) => void) {
    const wrapped = (_event: IpcRendererEvent, events: WrenEvent[]) => listener(events);
    ipcRenderer.on(EVENTS_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENTS_CHANNEL, wrapped);
    };
  },
} as WrenApi;

contextBridge.exposeInMainWorld("wren", api);
