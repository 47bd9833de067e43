import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { ensureTestCertificates } from "./setup/certs";

// Node reads NODE_EXTRA_CA_CERTS only at start-up, so the test CA must exist before vitest (and the
// preview it spawns) start: create it, then run vitest with the CA trusted — and nothing else relaxed.
const { caPath } = ensureTestCertificates();
const vitest = resolve(import.meta.dirname, "../node_modules/vitest/vitest.mjs");
const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, NODE_EXTRA_CA_CERTS: resolve(caPath) },
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
