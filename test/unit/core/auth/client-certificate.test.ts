import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  parseClientCertificate,
  readClientCertificate,
  serializeClientCertificate,
  tlsClientOptions,
} from "../../../../main/core/auth/client-certificate";

const dir = mkdtempSync(join(tmpdir(), "wren-client-cert-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]) {
  execFileSync("openssl", args, { stdio: "ignore" });
}

const file = (name: string) => join(dir, name);
// prettier-ignore
openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
  "-keyout", file("key.pem"), "-out", file("cert.pem"), "-days", "2", "-subj", "/CN=alice@example.org"]);
// prettier-ignore
openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
  "-keyout", file("other-key.pem"), "-out", file("other.pem"), "-days", "2", "-subj", "/CN=x"]);
// prettier-ignore
openssl(["pkcs12", "-export", "-in", file("cert.pem"), "-inkey", file("key.pem"),
  "-out", file("alice.p12"), "-passout", "pass:sesame"]);

const bytes = (name: string) => readFileSync(file(name));

describe("readClientCertificate", () => {
  it("takes a PEM certificate with its key, in one file or two", () => {
    const joined = Buffer.concat([bytes("cert.pem"), bytes("key.pem")]);
    expect(readClientCertificate(joined).kind).toBe("pem");
    const split = readClientCertificate(bytes("cert.pem"), { keyFile: bytes("key.pem") });
    expect(tlsClientOptions(split)).toMatchObject({ cert: expect.stringContaining("PRIVATE KEY") });
  });

  it("takes PKCS#12 with the right passphrase", () => {
    const certificate = readClientCertificate(bytes("alice.p12"), { passphrase: "sesame" });
    expect(tlsClientOptions(certificate)).toMatchObject({ passphrase: "sesame" });
  });

  it.each([
    ["a PEM without its key", () => readClientCertificate(bytes("cert.pem")), /no private key/],
    [
      "a key that belongs to another certificate",
      () => readClientCertificate(bytes("cert.pem"), { keyFile: bytes("other-key.pem") }),
      /does not belong/,
    ],
    [
      "a wrong passphrase",
      () => readClientCertificate(bytes("alice.p12"), { passphrase: "nope" }),
      /passphrase/,
    ],
    ["something else", () => readClientCertificate(Buffer.from("hello")), /cannot use/],
  ])("refuses %s with a readable error", (_, read, message) => {
    expect(read).toThrowError(
      expect.objectContaining({
        code: "invalid-argument",
        message: expect.stringMatching(message),
      }),
    );
  });
});

describe("stored form", () => {
  it("round-trips both kinds through the secret string", () => {
    for (const certificate of [
      readClientCertificate(Buffer.concat([bytes("cert.pem"), bytes("key.pem")])),
      readClientCertificate(bytes("alice.p12"), { passphrase: "sesame" }),
    ]) {
      expect(parseClientCertificate(serializeClientCertificate(certificate))).toEqual(certificate);
    }
  });

  it("does not mistake a password for a certificate", () => {
    expect(parseClientCertificate("correct horse battery staple")).toBeNull();
    expect(parseClientCertificate('{"v":2}')).toBeNull();
  });
});
