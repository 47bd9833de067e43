import { WrenError } from "../shared/errors";

/** A JID split into its parts. Local part and domain are compared case-insensitively (RFC 7622). */
export interface JidParts {
  local: string;
  domain: string;
  resource: string;
}

/** Parses a JID, or returns null when it is not one. Lower-cases local part and domain. */
export function parseJid(value: string | undefined | null): JidParts | null {
  if (!value) return null;
  const slash = value.indexOf("/");
  const bare = slash === -1 ? value : value.slice(0, slash);
  const resource = slash === -1 ? "" : value.slice(slash + 1);
  const at = bare.indexOf("@");
  const local = at === -1 ? "" : bare.slice(0, at);
  const domain = (at === -1 ? bare : bare.slice(at + 1)).replace(/\.$/, "");
  if (!domain || /[\s@/]/.test(domain) || /[\s@]/.test(local)) return null;
  if (at !== -1 && !local) return null;
  if (slash !== -1 && !resource) return null;
  return { local: local.toLowerCase(), domain: domain.toLowerCase(), resource };
}

export function bareOf(parts: JidParts): string {
  return parts.local ? `${parts.local}@${parts.domain}` : parts.domain;
}

/** The bare JID of `value`, or null when `value` is not a JID. */
export function toBareJid(value: string | undefined | null): string | null {
  const parts = parseJid(value);
  return parts ? bareOf(parts) : null;
}

/** For addresses a person typed: the normalised bare JID, or a readable error (also for a full JID). */
export function requireBareJid(value: string): string {
  const parts = parseJid(value.trim());
  const bare = parts && !parts.resource ? bareOf(parts) : null;
  if (!bare) {
    throw new WrenError("invalid-argument", `“${value}” is not an address like name@example.org.`);
  }
  return bare;
}
