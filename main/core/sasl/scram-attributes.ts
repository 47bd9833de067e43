import { SaslSecurityError } from "./mechanism";

/** One `x=value` pair of a SCRAM message, in the order the server sent them (RFC 5802 §5.1). */
export interface ScramAttribute {
  name: string;
  value: string;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

export function parseScramMessage(data: Buffer, what: string): ScramAttribute[] {
  let text: string;
  try {
    text = UTF8.decode(data);
  } catch (cause) {
    throw malformed(what, { cause });
  }
  return text.split(",").map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw malformed(what);
    return { name: part[0]!, value: part.slice(2) };
  });
}

export function attributeValue(attributes: ScramAttribute[], name: string): string | undefined {
  return attributes.find((attribute) => attribute.name === name)?.value;
}

/** Canonical, padded base64 only: a lenient decoder would accept garbage as an empty salt. */
export function decodeStrictBase64(value: string): Buffer | null {
  if (value.length === 0 || value.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  const bytes = Buffer.from(value, "base64");
  return bytes.toString("base64") === value ? bytes : null;
}

/** RFC 5802 `printable`: %x21-2B / %x2D-7E, i.e. visible ASCII except ",". */
export function isPrintableNonce(value: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(value);
}

export function malformed(what: string, options?: { cause?: unknown }): SaslSecurityError {
  return new SaslSecurityError(
    "sasl-protocol",
    `The server sent a malformed ${what}. Wren did not sign in.`,
    options,
  );
}
