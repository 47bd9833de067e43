import { WrenError } from "./shared/errors";

/** The part of Electron's shell that opens downloaded files. */
export interface ShellLike {
  /** Resolves with an error message, or "" when the file was opened. */
  openPath(path: string): Promise<string>;
  showItemInFolder(path: string): void;
}

/**
 * Opening a downloaded file and showing it in its folder, through the OS. Only ever on the
 * person's click: Wren opens nothing by itself.
 */
export function createShellFiles(shell: ShellLike) {
  return {
    async openPath(path: string): Promise<void> {
      const problem = await shell.openPath(path);
      if (problem) {
        throw new WrenError("not-available", `The system could not open the file: ${problem}`);
      }
    },
    async showInFolder(path: string): Promise<void> {
      shell.showItemInFolder(path);
      return Promise.resolve();
    },
  };
}
