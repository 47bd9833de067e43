import { WrenError } from "../shared/errors";

/** Stores key secrets by account id (the bare JID for now); an empty one is a bug in the caller. */
export function checkAccountId(accountId: string): void {
  if (typeof accountId !== "string" || accountId.trim() === "") {
    throw new WrenError("invalid-argument", "An account is needed to save or read a password.");
  }
}

/** An empty password is never saved: keychains reject it, and it would mean "ask" anyway. */
export function checkSecret(secret: string): void {
  if (typeof secret !== "string" || secret === "") {
    throw new WrenError("invalid-argument", "An empty password cannot be saved.");
  }
}
