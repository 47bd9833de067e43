import { WrenError } from "../shared/errors";
import type { AccountSettings } from "./settings-file";

/** The connection fields a person can type, checked with messages they can act on. */
export interface ConnectionFields {
  host?: string | null;
  port?: number | null;
  resource?: string | null;
  priority?: number | null;
}

/** Trimmed values; an empty host or resource means "none". Throws a readable WrenError. */
export function checkConnectionFields(fields: ConnectionFields): ConnectionFields {
  const checked: ConnectionFields = {};
  if (fields.host !== undefined) {
    const host = fields.host?.trim() ?? "";
    if (host.length > 253 || /[\s/@]/.test(host)) {
      throw new WrenError("invalid-argument", `“${fields.host}” is not a server name.`);
    }
    checked.host = host || null;
  }
  if (fields.port !== undefined) {
    const port = fields.port;
    if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new WrenError("invalid-argument", "The port must be a number from 1 to 65535.");
    }
    checked.port = port;
  }
  if (fields.resource !== undefined) {
    const resource = fields.resource?.trim() ?? "";
    if (resource.length > 1023) {
      throw new WrenError("invalid-argument", "The resource name is too long.");
    }
    checked.resource = resource || null;
  }
  if (fields.priority !== undefined) {
    const priority = fields.priority;
    if (priority !== null && (!Number.isInteger(priority) || priority < -128 || priority > 127)) {
      throw new WrenError(
        "invalid-argument",
        "The priority must be a whole number from -128 to 127.",
      );
    }
    checked.priority = priority;
  }
  return checked;
}

/** `settings` with the checked fields applied; null removes a field. */
export function withFields(
  settings: AccountSettings,
  fields: ConnectionFields & { directTls?: boolean },
): AccountSettings {
  const next: AccountSettings = { ...settings };
  for (const key of ["host", "port", "resource", "priority"] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (value === null) delete next[key];
    else (next as Record<string, unknown>)[key] = value;
  }
  if (fields.directTls !== undefined) next.directTls = fields.directTls;
  return next;
}

/** Keeping message history on or off; undefined leaves it as it is (on, for a new account). */
export function checkKeepHistory(keep: unknown): boolean | undefined {
  if (keep !== undefined && typeof keep !== "boolean") {
    throw new WrenError("invalid-argument", "Choose whether to keep message history.");
  }
  return keep;
}

export function checkPassword(password: unknown): string {
  if (typeof password !== "string" || password === "") {
    throw new WrenError("invalid-argument", "Enter your password.");
  }
  return password;
}

/** A SHA-256 fingerprint as Wren stores it: upper-case hex pairs joined by colons. */
export function checkFingerprint(value: unknown): string {
  const hex = typeof value === "string" ? value.replace(/[^0-9a-f]/gi, "").toUpperCase() : "";
  if (hex.length !== 64) {
    throw new WrenError("invalid-argument", "That is not a SHA-256 certificate fingerprint.");
  }
  return hex.match(/../g)!.join(":");
}
