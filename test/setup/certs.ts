import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface TestCertificates {
  /** The test CA; give it to Node through NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** Server certificate signed by the test CA, for `localhost` and `127.0.0.1`. */
  certPath: string;
  keyPath: string;
}

/** Names the server certificate covers. Add component hostnames here when the harness grows them. */
export const SERVER_CERT_NAMES = ["DNS:localhost", "IP:127.0.0.1"];

const FILES = { ca: "ca.pem", caKey: "ca-key.pem", cert: "server.pem", key: "server-key.pem" };

/**
 * Creates a test CA and a server certificate signed by it, once: later calls reuse the files while
 * they stay valid for another day. Built in a scratch folder and renamed into place, so a reader
 * never sees half a set.
 */
export function ensureTestCertificates(dir = "test-output/tls"): TestCertificates {
  const root = resolve(dir);
  const result = {
    caPath: join(root, FILES.ca),
    certPath: join(root, FILES.cert),
    keyPath: join(root, FILES.key),
  };
  if (isUsable(result)) return result;

  const scratch = `${root}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    generate(scratch);
    rmSync(root, { recursive: true, force: true });
    renameSync(scratch, root);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}

function isUsable({ caPath, certPath, keyPath }: TestCertificates): boolean {
  if (![caPath, certPath, keyPath].every((path) => existsSync(path))) return false;
  try {
    openssl(["x509", "-in", certPath, "-noout", "-checkend", "86400"]);
    openssl(["verify", "-CAfile", caPath, certPath]);
    return true;
  } catch {
    return false;
  }
}

function generate(dir: string): void {
  const path = (name: string) => join(dir, name);
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  // prettier-ignore
  openssl([
    "req", "-x509", ...ecKey, "-keyout", path(FILES.caKey), "-out", path(FILES.ca),
    "-days", "3650", "-subj", "/CN=Wren Test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);

  // prettier-ignore
  openssl([
    "req", "-new", ...ecKey, "-keyout", path(FILES.key), "-out", path("server.csr"),
    "-subj", "/CN=localhost",
  ]);

  writeFileSync(
    path("server.ext"),
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${SERVER_CERT_NAMES.join(",")}`,
      "",
    ].join("\n"),
  );

  // prettier-ignore
  openssl([
    "x509", "-req", "-in", path("server.csr"), "-CA", path(FILES.ca), "-CAkey", path(FILES.caKey),
    "-CAcreateserial", "-out", path(FILES.cert), "-days", "825", "-extfile", path("server.ext"),
  ]);
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}
