/**
 * Turns what keytar (libsecret, macOS Security, Windows Credential Manager) rejects with into a
 * sentence a person can act on. The raw message is kept for the log; it never holds a secret.
 */

const NO_BUS =
  /autolaunch D-Bus|dbus-launch|Could not connect|Failed to connect to socket|DBUS_SESSION_BUS_ADDRESS|Unable to autolaunch/i;
const NO_SERVICE =
  /org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service files|No such interface|NameHasNoOwner/i;
const LOCKED =
  /locked|collection\/login|Object does not exist at path|prompt|dismissed|cancel|User canceled|errSecAuthFailed|interaction is not allowed/i;

export function keychainErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (NO_BUS.test(message)) {
    return "No Secret Service (keychain) is running: there is no desktop session bus (D-Bus) to reach one.";
  }
  if (NO_SERVICE.test(message)) {
    return "No Secret Service (keychain) is running, and none is installed that could be started (such as GNOME Keyring or KWallet).";
  }
  if (LOCKED.test(message)) {
    return "The keychain is locked or has no default keyring, and it could not ask you to unlock or create one.";
  }
  return `The system keychain refused the request (${message.trim() || "no details given"}).`;
}

export function keychainTimeoutReason(timeoutMs: number): string {
  const seconds = Math.max(1, Math.round(timeoutMs / 1000));
  return `The system keychain did not answer within ${seconds} second${seconds === 1 ? "" : "s"}.`;
}

export function keytarMissingReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Wren's keychain module (keytar) could not be loaded (${message.trim() || "no details given"}).`;
}
