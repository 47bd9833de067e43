import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";

export interface QuarantineDeps {
  platform: NodeJS.Platform;
  writeFile: (path: string, data: string) => Promise<void>;
  execFile: (file: string, args: string[]) => Promise<unknown>;
  now: () => number;
}

const defaults: QuarantineDeps = {
  platform: process.platform,
  writeFile: (path, data) => writeFile(path, data),
  execFile: promisify(execFile),
  now: Date.now,
};

/**
 * Gives a downloaded file the operating system's "from the internet" mark, so that opening it
 * warns as it would for a browser's download: the Zone.Identifier stream on Windows (zone 3,
 * Internet), the com.apple.quarantine attribute on macOS. Linux has no such mark. Resolves with
 * whether a mark was set; a failure is the caller's to log (the file stays).
 */
export async function markDownloaded(
  path: string,
  from: URL,
  deps: QuarantineDeps = defaults,
): Promise<boolean> {
  switch (deps.platform) {
    case "win32":
      await deps.writeFile(
        `${path}:Zone.Identifier`,
        `[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=${from.origin}/\r\n`,
      );
      return true;
    case "darwin": {
      // flags;time (hex seconds);agent;event id — the form Safari and Chrome write.
      const seconds = Math.floor(deps.now() / 1000).toString(16);
      await deps.execFile("/usr/bin/xattr", [
        "-w",
        "com.apple.quarantine",
        `0083;${seconds};Wren;`,
        path,
      ]);
      return true;
    }
    default:
      return false;
  }
}
