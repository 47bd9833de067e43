import { execFileSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface TestCertificates {
  /** The test CA; give it to Node through NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** The CA's private key, for signing more certificates (see `createClientCertificate`). */
  caKeyPath: string;
  /** Server certificate signed by the test CA, for `localhost` and `127.0.0.1`. */
  certPath: string;
  keyPath: string;
}

/**
 * Names the server certificate covers. Add component hostnames here when the harness grows them:
 * a cached certificate that lacks one of them is made again.
 */
export const SERVER_CERT_NAMES = ["DNS:localhost", "DNS:sha256.localhost", "IP:127.0.0.1"];

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
    caKeyPath: join(root, FILES.caKey),
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

function isUsable({ caPath, caKeyPath, certPath, keyPath }: TestCertificates): boolean {
  if (![caPath, caKeyPath, certPath, keyPath].every((path) => existsSync(path))) return false;
  try {
    openssl(["x509", "-in", certPath, "-noout", "-checkend", "86400"]);
    openssl(["verify", "-CAfile", caPath, certPath]);
    return coversAllNames(new X509Certificate(readFileSync(certPath)));
  } catch {
    return false;
  }
}

function coversAllNames(cert: X509Certificate): boolean {
  return SERVER_CERT_NAMES.every((name) => {
    const [kind, value = ""] = name.split(/:(.*)/);
    return kind === "IP"
      ? cert.checkIP(value) !== undefined
      : cert.checkHost(value, { wildcards: false }) !== undefined;
  });
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

export interface ClientCertificate {
  certPath: string;
  keyPath: string;
}

/**
 * A client certificate for `jid` (XEP-0178), signed by the test CA: the JID is both the subject's CN
 * and an id-on-xmppAddr otherName in subjectAltName, which is where servers look for it. Written
 * to `dir` as `<local>@<domain>.pem` and `…-key.pem`; valid for two days.
 */
export function createClientCertificate(
  certs: TestCertificates,
  jid: string,
  dir: string,
): ClientCertificate {
  // The JID goes into an openssl config line and a -subj value: keep to characters that need no escaping.
  if (!/^[a-z0-9._-]+@[a-z0-9.-]+$/i.test(jid)) throw new Error(`unsupported test JID ${jid}`);
  mkdirSync(dir, { recursive: true });
  const path = (suffix: string) => join(resolve(dir), `${jid}${suffix}`);
  const result = { certPath: path(".pem"), keyPath: path("-key.pem") };
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  // prettier-ignore
  openssl([
    "req", "-new", ...ecKey, "-keyout", result.keyPath, "-out", path(".csr"), "-subj", `/CN=${jid}`,
  ]);
  writeFileSync(
    path(".ext"),
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
      `subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:${jid}`,
      "",
    ].join("\n"),
  );
  // A random serial rather than -CAcreateserial, which would write next to the shared CA.
  // prettier-ignore
  openssl([
    "x509", "-req", "-in", path(".csr"), "-CA", certs.caPath, "-CAkey", certs.caKeyPath,
    "-set_serial", `0x${randomBytes(16).toString("hex")}`, "-out", result.certPath, "-days", "2",
    "-extfile", path(".ext"),
  ]);
  rmSync(path(".csr"));
  rmSync(path(".ext"));
  return result;
}
