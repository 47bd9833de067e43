import { resolve } from "node:path";
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The renderer as the browser preview serves it: identical to the app's, plus the WebSocket bridge
// that stands in for preload (selected by import.meta.env.MODE === "preview").
export default defineConfig({
  root: resolve(import.meta.dirname),
  mode: "preview",
  base: "./",
  plugins: [svelte()],
  build: { outDir: resolve(import.meta.dirname, "../out/preview-renderer"), emptyOutDir: true },
});
