import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Real client certificate files, made with openssl in a temporary folder, as a person has them. */
export interface CertificateFiles {
  dir: string;
  /** Certificate and key in one PEM file. */
  both: string;
  /** The certificate alone, and its key alone. */
  certificate: string;
  key: string;
  /** A key of another certificate. */
  otherKey: string;
  /** The certificate's key, encrypted with a passphrase; and that key with the certificate. */
  lockedKey: string;
  lockedBoth: string;
  /** PKCS#12 with the passphrase "sesame", and one with an empty passphrase. */
  locked: string;
  open: string;
  garbage: string;
  remove(): void;
}

export function makeCertificateFiles(): CertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), "wren-pick-"));
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  // prettier-ignore
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", file("alice.key"), "-out", file("alice.crt"), "-days", "2",
    "-subj", "/CN=alice@example.org/O=Example"]);
  // prettier-ignore
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", file("other.key"), "-out", file("other.crt"), "-days", "2", "-subj", "/CN=x"]);
  // prettier-ignore
  openssl(["pkcs12", "-export", "-in", file("alice.crt"), "-inkey", file("alice.key"),
    "-out", file("alice.p12"), "-passout", "pass:sesame"]);
  // prettier-ignore
  openssl(["pkcs12", "-export", "-in", file("alice.crt"), "-inkey", file("alice.key"),
    "-out", file("open.pfx"), "-passout", "pass:"]);
  writeFileSync(
    file("alice.pem"),
    Buffer.concat([readFileSync(file("alice.crt")), readFileSync(file("alice.key"))]),
  );
  // prettier-ignore
  openssl(["pkey", "-in", file("alice.key"), "-aes256", "-passout", "pass:x",
    "-out", file("locked.key")]);
  writeFileSync(
    file("alice-locked.pem"),
    Buffer.concat([readFileSync(file("alice.crt")), readFileSync(file("locked.key"))]),
  );
  writeFileSync(file("notes.bin"), "hello, not a certificate");
  return {
    dir,
    both: file("alice.pem"),
    certificate: file("alice.crt"),
    key: file("alice.key"),
    otherKey: file("other.key"),
    lockedKey: file("locked.key"),
    lockedBoth: file("alice-locked.pem"),
    locked: file("alice.p12"),
    open: file("open.pfx"),
    garbage: file("notes.bin"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
