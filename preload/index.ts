import { contextBridge, ipcRenderer, webUtils } from "electron";
import { createPreloadApi } from "./api";

contextBridge.exposeInMainWorld("wren", createPreloadApi({ ipcRenderer, webUtils }));
