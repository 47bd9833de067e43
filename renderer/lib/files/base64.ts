// Uint8Array.prototype.toBase64 and Uint8Array.fromBase64 are new (Chromium 133+); the fallbacks
// keep older engines and test environments working.
type WithBase64 = Uint8Array & { toBase64?: () => string };
type Uint8ArrayWithBase64 = typeof Uint8Array & {
  fromBase64?: (text: string) => Uint8Array<ArrayBuffer>;
};

/** btoa takes a string of Latin-1 characters: built in slices so no argument list grows huge. */
const SLICE = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as WithBase64).toBase64;
  if (typeof native === "function") return native.call(bytes);
  let binary = "";
  for (let at = 0; at < bytes.length; at += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(at, at + SLICE));
  }
  return btoa(binary);
}

/** Throws on text that is not base64. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as Uint8ArrayWithBase64).fromBase64;
  if (typeof native === "function") return native(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
