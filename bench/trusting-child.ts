import { spawn } from "node:child_process";

/**
 * Runs `script` (TypeScript, through tsx) in a child process that trusts the test CA — Node reads
 * NODE_EXTRA_CA_CERTS only at start — with `input` as its argument, and resolves with the JSON
 * its last line of output holds.
 */
export function runTrustingChild<T>(
  script: string,
  input: unknown,
  caPath: string,
  nodeArgs: string[] = [],
): Promise<T> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, "--import", "tsx", script, JSON.stringify(input)],
      {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", fail);
    child.on("exit", (code) => {
      if (code !== 0) return fail(new Error(`${script} exited with ${code}`));
      try {
        done(JSON.parse(output.trim().split("\n").at(-1)!) as T);
      } catch (error) {
        fail(error);
      }
    });
  });
}
