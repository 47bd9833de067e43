import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SafeStorageLike } from "../../../main/credentials/safe-storage-store";

/** A stand-in for Electron's safeStorage: real AES-GCM with a key held in memory, like the OS would. */
export function fakeSafeStorage(
  options: { backend?: string; available?: boolean; key?: Buffer } = {},
): SafeStorageLike & { key: Buffer } {
  const key = options.key ?? randomBytes(32);
  return {
    key,
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? "gnome_libsecret",
    encryptString(plainText) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plainText, "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from("v11"), iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      const iv = encrypted.subarray(3, 15);
      const tag = encrypted.subarray(15, 31);
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString(
        "utf8",
      );
    },
  };
}
