import { appendFile } from "node:fs/promises";

/**
 * The preview's stand-in for Electron's shell: it opens nothing on the machine it runs on, and
 * writes each request as a JSON line to `file`, where end-to-end tests read what the app would
 * have opened.
 */
export function createPreviewShell(file: string) {
  const record = (action: "open" | "show-in-folder", path: string) =>
    appendFile(file, `${JSON.stringify({ action, path })}\n`);
  return {
    openPath: (path: string) => record("open", path),
    showInFolder: (path: string) => record("show-in-folder", path),
  };
}
