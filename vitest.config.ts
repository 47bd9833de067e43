import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [svelte(), svelteTesting()],
        test: {
          name: "renderer",
          include: ["test/renderer/**/*.test.ts"],
          environment: "jsdom",
          setupFiles: ["test/renderer/setup.ts"],
        },
      },
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/setup/quiet-log.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/setup/global-setup.ts"],
          setupFiles: ["test/setup/quiet-log.ts"],
          // Logins cost CPU; on two cores, parallel files starve each other into timeouts.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/integration/setup/global-setup.ts"],
          setupFiles: ["test/setup/quiet-log.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          environment: "node",
          // Its own Prosody, with stream management, which the tests stop and start again.
          globalSetup: ["test/faults/setup/global-setup.ts"],
          setupFiles: ["test/setup/quiet-log.ts"],
          // Each iteration runs two Wren processes and a server that the tests restart: one file
          // at a time. WREN_FAULT_ITERATIONS sets how many iterations each scenario runs.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
