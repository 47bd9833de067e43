import type { WrenApi } from "../../../preload/contract";

/** The renderer's only door to main: preload's `window.wren` in Electron, a WebSocket in the preview. */
export async function connectWrenApi(): Promise<WrenApi> {
  if (window.wren) return window.wren;
  // Vite replaces MODE at build time, so the app's bundle does not contain the preview bridge at all.
  if (import.meta.env.MODE === "preview") {
    const { connectPreviewBridge } = await import("./preview-bridge");
    return connectPreviewBridge(window.location);
  }
  throw new Error("Wren's bridge to the main process is missing.");
}
