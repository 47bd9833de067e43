import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface PreviewProcess {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../..");

/**
 * Starts `main/preview/cli.ts` as `npm run preview` would (renderer already built) on a free port,
 * in a new data folder unless given one (to start again where an earlier preview stopped).
 */
export async function startPreview(options: { dataDir?: string } = {}): Promise<PreviewProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "wren-e2e-"));
  const child = spawn(
    process.execPath,
    [resolve(root, "node_modules/tsx/dist/cli.mjs"), resolve(root, "main/preview/cli.ts")],
    {
      cwd: root,
      env: { ...process.env, PREVIEW_PORT: "0", WREN_DATA_DIR: dataDir },
      stdio: "pipe",
    },
  );
  let output = "";
  child.stderr.on("data", (chunk) => (output += String(chunk)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`preview did not start:\n${output}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      output += String(chunk);
      const match = /Wren preview: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`preview exited with ${code}:\n${output}`)));
  });
  return { url, dataDir, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}
