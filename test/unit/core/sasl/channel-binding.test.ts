import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer, type SecureVersion, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endPointDigest } from "../../../../main/core/sasl/certificate-signature-hash";
import {
  availableChannelBindings,
  channelBindingData,
  endPointHash,
  tlsExporter,
  tlsServerEndPoint,
  tlsUnique,
} from "../../../../main/core/sasl/channel-binding";
import { ensureTestCertificates } from "../../../setup/certs";

let dir: string;
const pem = (name: string) => readFileSync(join(dir, name), "utf8");
const der = (name: string) => new X509Certificate(pem(name)).raw;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function selfSigned(out: string, key: string, ...sign: string[]): void {
  openssl(
    "req",
    "-x509",
    "-key",
    key,
    ...sign,
    "-subj",
    "/CN=localhost",
    "-days",
    "1",
    "-out",
    out,
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wren-cb-"));
  openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key");
  openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "ec.key");
  openssl("genpkey", "-algorithm", "ED25519", "-out", "ed25519.key");
  openssl("genpkey", "-algorithm", "ED448", "-out", "ed448.key");
  for (const hash of ["sha1", "sha256", "sha384", "sha512"]) {
    selfSigned(`rsa-${hash}.pem`, "rsa.key", `-${hash}`);
    selfSigned(`ec-${hash}.pem`, "ec.key", `-${hash}`);
  }
  selfSigned("ed25519.pem", "ed25519.key");
  selfSigned("ed448.pem", "ed448.key");
  selfSigned("pss-sha384.pem", "rsa.key", "-sha384", "-sigopt", "rsa_padding_mode:pss");
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tls-server-end-point hash choice (RFC 5929 §4.1)", () => {
  it.each([
    ["rsa-sha1.pem", "sha256"], // SHA-1 is replaced by SHA-256
    ["rsa-sha256.pem", "sha256"],
    ["rsa-sha384.pem", "sha384"],
    ["rsa-sha512.pem", "sha512"],
    ["ec-sha1.pem", "sha256"],
    ["ec-sha256.pem", "sha256"],
    ["ec-sha384.pem", "sha384"],
    ["ec-sha512.pem", "sha512"],
    ["pss-sha384.pem", "sha384"], // hash taken from the RSASSA-PSS parameters
    ["ed25519.pem", "sha256"], // no rule in RFC 5929; SHA-256 like other implementations
    ["ed448.pem", "sha256"],
  ])("%s → %s", (file, digest) => {
    expect(endPointDigest(der(file))).toBe(digest);
    expect(endPointHash(der(file))).toEqual(createHash(digest).update(der(file)).digest());
  });

  // Hand-built: SEQUENCE { SEQUENCE {}, SEQUENCE { OID }, … } is all the reader looks at.
  const certificateWith = (algorithm: Buffer) => {
    const body = Buffer.concat([Buffer.from([0x30, 0x00]), algorithm]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  };

  it("defaults RSASSA-PSS without a hash parameter to SHA-1, hence SHA-256", () => {
    const pssOid = Buffer.from("06092a864886f70d01010a", "hex");
    const algorithm = Buffer.concat([
      Buffer.from([0x30, pssOid.length + 2]),
      pssOid,
      Buffer.from([0x30, 0x00]),
    ]);
    expect(endPointDigest(certificateWith(algorithm))).toBe("sha256");
  });

  it("leaves an unknown algorithm undefined instead of guessing", () => {
    const unknownOid = Buffer.from("06032a0304", "hex"); // 1.2.3.4
    const algorithm = Buffer.concat([Buffer.from([0x30, unknownOid.length]), unknownOid]);
    expect(endPointDigest(certificateWith(algorithm))).toBeNull();
    expect(() => endPointHash(certificateWith(algorithm))).toThrow();
  });

  it("rejects truncated DER", () => {
    expect(() => endPointDigest(der("rsa-sha256.pem").subarray(0, 40))).toThrow();
  });
});

interface Pair {
  client: TLSSocket;
  server: TLSSocket;
  close(): Promise<void>;
}

async function tlsPair(
  key: string,
  cert: string,
  ca: string,
  maxVersion: SecureVersion,
): Promise<Pair> {
  const server = createServer({ key, cert, maxVersion });
  const accepted = once(server, "secureConnection") as Promise<[TLSSocket]>;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const client = connect({ host: "127.0.0.1", port, ca, servername: "localhost", maxVersion });
  await once(client, "secureConnect");
  const [serverSocket] = await accepted;
  return {
    client,
    server: serverSocket,
    async close() {
      client.destroy();
      serverSocket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

describe("channel bindings on a real TLS connection", () => {
  it("TLS 1.3: both ends derive the same tls-exporter value; end-point hashes the server DER", async () => {
    const certs = ensureTestCertificates();
    const [key, cert, ca] = [certs.keyPath, certs.certPath, certs.caPath].map((path) =>
      readFileSync(path, "utf8"),
    ) as [string, string, string];
    const pair = await tlsPair(key, cert, ca, "TLSv1.3");
    try {
      expect(pair.client.getProtocol()).toBe("TLSv1.3");
      expect(availableChannelBindings(pair.client)).toEqual([
        "tls-exporter",
        "tls-server-end-point",
      ]);

      const exporter = tlsExporter(pair.client);
      expect(exporter).toHaveLength(32);
      const label = "EXPORTER-Channel-Binding";
      expect(exporter).toEqual(pair.server.exportKeyingMaterial(32, label, Buffer.alloc(0)));
      // TLS 1.3 treats "no context" and "empty context" alike (RFC 8446 §7.5), so servers that
      // pass none agree with us. @types/node insists on a context; Node itself does not.
      const withoutContext = Reflect.apply(pair.server.exportKeyingMaterial, pair.server, [
        32,
        label,
      ]) as Buffer;
      expect(exporter).toEqual(withoutContext);
      expect(channelBindingData(pair.client, "tls-exporter")).toEqual(exporter);

      const serverDer = new X509Certificate(cert).raw;
      const expected = createHash("sha256").update(serverDer).digest();
      expect(tlsServerEndPoint(pair.client)).toEqual(expected);
      expect(channelBindingData(pair.client, "tls-server-end-point")).toEqual(expected);
    } finally {
      await pair.close();
    }
  });

  it("TLS 1.2: tls-server-end-point (here with a SHA-384 certificate) and tls-unique", async () => {
    const pair = await tlsPair(
      readFileSync(join(dir, "rsa.key"), "utf8"),
      pem("rsa-sha384.pem"),
      pem("rsa-sha384.pem"),
      "TLSv1.2",
    );
    try {
      expect(pair.client.getProtocol()).toBe("TLSv1.2");
      expect(availableChannelBindings(pair.client)).toEqual(["tls-server-end-point", "tls-unique"]);
      // tls-unique is the client's Finished message, which the server saw as the peer's.
      expect(tlsUnique(pair.client)).toEqual(pair.server.getPeerFinished());
      expect(tlsUnique(pair.client).length).toBeGreaterThanOrEqual(12);
      expect(() => tlsExporter(pair.client)).toThrow(/TLS 1.3/);
      expect(tlsServerEndPoint(pair.client)).toEqual(
        createHash("sha384").update(der("rsa-sha384.pem")).digest(),
      );
    } finally {
      await pair.close();
    }
  });
});
