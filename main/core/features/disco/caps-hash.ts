import { createHash } from "node:crypto";
import type { DiscoInfo } from "./parse";

// XEP-0115 §5: the verification string ('ver') of an entity's disco#info. The input S is built
// from the parsed (unescaped) character data, so a literal "&lt;" in a name stays those four
// characters, as §5.1's note demands.

const ALGORITHMS = {
  "sha-1": "sha1",
  "sha-224": "sha224",
  "sha-256": "sha256",
  "sha-384": "sha384",
  "sha-512": "sha512",
} as const;

/** The IANA names of the hash functions Wren can check a 'ver' with (no MD5). */
export type CapsHashName = keyof typeof ALGORITHMS;

export function isSupportedHash(name: string): name is CapsHashName {
  return Object.hasOwn(ALGORITHMS, name);
}

/**
 * The string S of XEP-0115 §5.1, or null when §5.4 calls the answer ill-formed: two identical
 * identities, a feature twice, two forms with the same FORM_TYPE (or a field twice in one form,
 * whose order the spec leaves open). Such an answer is never cached by its hash.
 */
export function capsInput(info: DiscoInfo): string | null {
  const identityKeys = new Set(
    info.identities.map(({ category, type, lang, name }) =>
      JSON.stringify([category, type, lang, name]),
    ),
  );
  if (identityKeys.size !== info.identities.length) return null;
  if (new Set(info.features).size !== info.features.length) return null;
  if (new Set(info.forms.map((form) => form.formType)).size !== info.forms.length) return null;
  if (
    info.forms.some((form) => new Set(form.fields.map((f) => f.var)).size !== form.fields.length)
  ) {
    return null;
  }

  let s = "";
  const identities = [...info.identities].sort(
    (a, b) =>
      compareOctets(a.category, b.category) ||
      compareOctets(a.type, b.type) ||
      compareOctets(a.lang, b.lang) ||
      compareOctets(a.name, b.name),
  );
  for (const { category, type, lang, name } of identities)
    s += `${category}/${type}/${lang}/${name}<`;
  for (const feature of sortOctets(info.features)) s += `${feature}<`;
  const forms = [...info.forms].sort((a, b) => compareOctets(a.formType, b.formType));
  for (const form of forms) {
    s += `${form.formType}<`;
    const fields = [...form.fields].sort((a, b) => compareOctets(a.var, b.var));
    for (const field of fields) {
      s += `${field.var}<`;
      for (const value of sortOctets(field.values)) s += `${value}<`;
    }
  }
  return s;
}

/** The Base64 'ver' of `info` with `hash`; null when the answer is ill-formed (see capsInput). */
export function capsHash(info: DiscoInfo, hash: CapsHashName = "sha-1"): string | null {
  const input = capsInput(info);
  if (input === null) return null;
  return createHash(ALGORITHMS[hash]).update(input, "utf8").digest("base64");
}

/**
 * "i;octet" collation (RFC 4790 §9.3): the order of the UTF-8 bytes, which is the order of code
 * points, not of the UTF-16 units that JavaScript's default sort compares.
 */
export function compareOctets(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function sortOctets(values: readonly string[]): string[] {
  return values
    .map((value) => ({ value, bytes: Buffer.from(value, "utf8") }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ value }) => value);
}
