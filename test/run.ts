import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { ensureTestCertificates } from "./setup/certs";
import { startPrivateKeyring } from "./setup/keyring";

// What the tests need must exist before vitest starts, because Node reads NODE_EXTRA_CA_CERTS and
// libsecret reads DBUS_SESSION_BUS_ADDRESS only once per process: the test CA (trusted, nothing else
// relaxed) and a private Secret Service that never sees the developer's own keyring.
const { caPath } = ensureTestCertificates();
const keyring = await startPrivateKeyring();
const vitest = resolve(import.meta.dirname, "../node_modules/vitest/vitest.mjs");
const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, ...keyring?.env, NODE_EXTRA_CA_CERTS: resolve(caPath) },
});

const stop = async (code: number) => {
  await keyring?.stop();
  process.exit(code);
};
child.on("exit", (code, signal) => void stop(code ?? (signal ? 1 : 0)));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
