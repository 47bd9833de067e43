/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { WrenApi } from "../preload/contract";

declare global {
  interface Window {
    /** Exposed by preload in Electron; absent in the browser preview until the bridge connects. */
    wren?: WrenApi;
  }
}
