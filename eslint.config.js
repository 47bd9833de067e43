import js from "@eslint/js";
import tseslint from "typescript-eslint";
import svelte from "eslint-plugin-svelte";
import globals from "globals";

const nodeBuiltins = [
  "node:*",
  "fs",
  "path",
  "os",
  "net",
  "tls",
  "child_process",
  "crypto",
  "http",
  "https",
  "dns",
  "stream",
  "events",
  "url",
  "util",
  "worker_threads",
];

export default tseslint.config(
  { ignores: ["node_modules/", "out/", "dist/", "test-output/", ".tools/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs["flat/recommended"],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: [".svelte"] },
    },
  },
  // Process boundaries. The XMPP core, the API it serves and the preview host are pure Node: they
  // must run and be tested without Electron.
  {
    files: [
      "main/app.ts",
      "main/shared/**",
      "main/core/**",
      "main/api/**",
      "main/preview/**",
      "main/credentials/**",
      "main/accounts/**",
      "main/store/**",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "electron",
              message: "main/core, main/api and main/preview must not depend on Electron.",
            },
          ],
        },
      ],
    },
  },
  // The core is the bottom layer: it may import only the shared basics (main/shared) and the
  // contract's types, never the layers built on it (so it runs and is tested on its own).
  {
    files: ["main/core/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "electron", message: "main/core must not depend on Electron." }],
          patterns: [
            {
              group: [
                "**/api/*",
                "**/accounts/*",
                "**/credentials/*",
                "**/preview/*",
                "**/shell/*",
                "**/store/*",
                "**/transfers/*",
                "**/main/index",
                "**/app",
                "**/window",
                "**/ipc",
              ],
              message:
                "main/core may import only main/shared and the contract, never what builds on it.",
            },
          ],
        },
      ],
    },
  },
  // The shared basics are imported by everyone and import nothing of Wren's but the contract.
  {
    files: ["main/shared/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "electron", message: "main/shared must not depend on Electron." }],
          patterns: [
            {
              regex: "^\\.\\./(?!\\.\\./preload/contract(/|$))",
              message: "main/shared may import only the contract, never another part of main.",
            },
          ],
        },
      ],
    },
  },
  // The renderer never touches the network, the file system or main's modules: only window.wren.
  {
    files: ["renderer/**"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "The renderer talks to main only through window.wren." },
          ],
          patterns: [
            { group: nodeBuiltins, message: "The renderer may not use Node built-ins." },
            {
              group: ["**/main/**", "../main/*", "../../main/*"],
              message: "The renderer may not import main's modules.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["renderer/vite.preview.config.ts"],
    rules: { "no-restricted-imports": "off" },
  },
);
