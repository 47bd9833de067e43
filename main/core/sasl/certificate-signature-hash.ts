import {
  type DerElement,
  DER_CONTEXT_0,
  DER_OID,
  DER_SEQUENCE,
  decodeOid,
  expectTag,
  readDerChildren,
  readDerElement,
} from "./der";

/** A node:crypto digest name. */
export type DigestName = string;

/**
 * RFC 5929 §4.1: tls-server-end-point hashes the certificate with the hash of its signature
 * algorithm, except that MD5 and SHA-1 are replaced by SHA-256. EdDSA has no separate hash and
 * RFC 5929 gives no rule; like OpenSSL-based servers (Prosody, ejabberd) we use SHA-256.
 */
const SIGNATURE_DIGESTS: Record<string, DigestName> = {
  "1.2.840.113549.1.1.4": "sha256", // md5WithRSAEncryption (MD5 → SHA-256)
  "1.2.840.113549.1.1.5": "sha256", // sha1WithRSAEncryption (SHA-1 → SHA-256)
  "1.2.840.113549.1.1.14": "sha224", // sha224WithRSAEncryption
  "1.2.840.113549.1.1.11": "sha256", // sha256WithRSAEncryption
  "1.2.840.113549.1.1.12": "sha384", // sha384WithRSAEncryption
  "1.2.840.113549.1.1.13": "sha512", // sha512WithRSAEncryption
  "1.2.840.10045.4.1": "sha256", // ecdsa-with-SHA1 (SHA-1 → SHA-256)
  "1.2.840.10045.4.3.1": "sha224", // ecdsa-with-SHA224
  "1.2.840.10045.4.3.2": "sha256", // ecdsa-with-SHA256
  "1.2.840.10045.4.3.3": "sha384", // ecdsa-with-SHA384
  "1.2.840.10045.4.3.4": "sha512", // ecdsa-with-SHA512
  "1.2.840.10040.4.3": "sha256", // dsa-with-sha1 (SHA-1 → SHA-256)
  "2.16.840.1.101.3.4.3.1": "sha224", // dsa-with-sha224
  "2.16.840.1.101.3.4.3.2": "sha256", // dsa-with-sha256
  "2.16.840.1.101.3.4.3.10": "sha3-256", // ecdsa-with-sha3-256
  "2.16.840.1.101.3.4.3.11": "sha3-384", // ecdsa-with-sha3-384
  "2.16.840.1.101.3.4.3.12": "sha3-512", // ecdsa-with-sha3-512
  "2.16.840.1.101.3.4.3.14": "sha3-256", // RSA PKCS#1 v1.5 with SHA3-256
  "2.16.840.1.101.3.4.3.15": "sha3-384", // RSA PKCS#1 v1.5 with SHA3-384
  "2.16.840.1.101.3.4.3.16": "sha3-512", // RSA PKCS#1 v1.5 with SHA3-512
  "1.3.101.112": "sha256", // Ed25519 (no rule in RFC 5929)
  "1.3.101.113": "sha256", // Ed448 (no rule in RFC 5929)
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";

/** Hash algorithms as they appear inside RSASSA-PSS parameters. */
const HASH_DIGESTS: Record<string, DigestName> = {
  "1.3.14.3.2.26": "sha256", // SHA-1 → SHA-256
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
  "2.16.840.1.101.3.4.2.8": "sha3-256",
  "2.16.840.1.101.3.4.2.9": "sha3-384",
  "2.16.840.1.101.3.4.2.10": "sha3-512",
};

/** The digest for tls-server-end-point, or null when RFC 5929 leaves the binding undefined. */
export function endPointDigest(certificateDer: Buffer): DigestName | null {
  const { oid, parameters } = signatureAlgorithm(certificateDer);
  if (oid === RSASSA_PSS) return pssDigest(parameters);
  return SIGNATURE_DIGESTS[oid] ?? null;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280). */
function signatureAlgorithm(certificateDer: Buffer): { oid: string; parameters?: DerElement } {
  const certificate = expectTag(readDerElement(certificateDer), DER_SEQUENCE);
  const [, algorithmIdentifier] = readDerChildren(certificate.contents);
  const [oid, parameters] = readDerChildren(expectTag(algorithmIdentifier, DER_SEQUENCE).contents);
  return { oid: decodeOid(expectTag(oid, DER_OID).contents), parameters };
}

/** RSASSA-PSS-params (RFC 4055): hashAlgorithm [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1. */
function pssDigest(parameters: DerElement | undefined): DigestName | null {
  const fields = parameters ? readDerChildren(expectTag(parameters, DER_SEQUENCE).contents) : [];
  const hashField = fields.find((field) => field.tag === DER_CONTEXT_0);
  if (!hashField) return HASH_DIGESTS["1.3.14.3.2.26"]!;
  const [hashAlgorithm] = readDerChildren(hashField.contents);
  const [oid] = readDerChildren(expectTag(hashAlgorithm, DER_SEQUENCE).contents);
  return HASH_DIGESTS[decodeOid(expectTag(oid, DER_OID).contents)] ?? null;
}
