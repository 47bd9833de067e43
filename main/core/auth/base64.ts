import { SaslSecurityError } from "../sasl/mechanism";

/** RFC 6120 §6.4.2: an empty response is sent as "=", so it is not mistaken for "no response". */
export function encodeSaslData(data: Buffer): string {
  return data.length === 0 ? "=" : data.toString("base64");
}

/** The payload of a challenge or success: null when there is none; strict base64 otherwise. */
export function decodeSaslData(text: string): Buffer | null {
  const value = text.trim();
  if (value === "") return null;
  if (value === "=") return Buffer.alloc(0);
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new SaslSecurityError(
      "sasl-protocol",
      "The server sent sign-in data that is not valid base64. Wren stopped signing in.",
    );
  }
  return Buffer.from(value, "base64");
}
