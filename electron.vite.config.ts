import { resolve } from "node:path";
import { defineConfig } from "electron-vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  main: {
    build: {
      outDir: "out/main",
      rollupOptions: {
        input: {
          index: resolve(__dirname, "main/index.ts"),
          // The message database's worker thread: its own file, which open-store.ts finds beside
          // the code that starts it (defaultWorkerUrl).
          "store-worker": resolve(__dirname, "main/store/worker/store-worker.ts"),
        },
        // Shared chunks beside the entries, not in chunks/: code that finds the worker by its
        // own URL (import.meta.url) then finds it wherever the bundler put that code.
        output: { chunkFileNames: "[name]-[hash].js" },
      },
    },
  },
  preload: {
    build: {
      outDir: "out/preload",
      // A sandboxed preload can require only electron and a few built-ins: bundle the contract's
      // dependencies (zod) into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, "preload/index.ts") },
        // A sandboxed preload cannot load ES modules.
        output: { format: "cjs", entryFileNames: "[name].cjs" },
      },
    },
  },
  renderer: {
    root: "renderer",
    plugins: [svelte()],
    build: {
      outDir: "out/renderer",
      rollupOptions: { input: { index: resolve(__dirname, "renderer/index.html") } },
    },
  },
});
