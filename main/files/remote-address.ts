import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

// Addresses a URL from a contact must not reach: this computer, the local network, link-local
// and other special ranges. A file link pointing there would make Wren probe the person's own
// network for whoever sent it (server-side request forgery, from the desktop).
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family !== 6) return true; // not an address: never reached
  // IPv4-mapped (::ffff:a.b.c.d) is checked as the IPv4 address it is. (Not a rule in the list:
  // BlockList checks IPv4 addresses against IPv6 rules in their mapped form.)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, "ipv4");
  return PRIVATE.check(address, "ipv6");
}

/** Why a file URL is not fetched; the message is for the person. */
export class RefusedUrlError extends Error {
  override name = "RefusedUrlError";
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * The address to connect to for `url`: https only, no credentials, and a public address unless
 * the host is the account's own server (or one of its subdomains), where private addresses are
 * how local and test servers run. The connection must go to this address (not a second lookup,
 * which a hostile DNS could answer differently).
 */
export async function resolveFileUrl(
  url: URL,
  ownServer: string,
  resolve: typeof lookup = lookup,
): Promise<ResolvedAddress> {
  if (url.protocol !== "https:") throw new RefusedUrlError("Wren only fetches files over https.");
  if (url.username || url.password) {
    throw new RefusedUrlError("The file's address carries a password; Wren does not fetch it.");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const own = ownServer.toLowerCase();
  const trusted = host === own || host.endsWith(`.${own}`);
  let found: { address: string; family: number };
  try {
    found = isIP(host) ? { address: host, family: isIP(host) } : await resolve(host);
  } catch {
    throw new RefusedUrlError("The file's server could not be found.");
  }
  if (!trusted && isPrivateAddress(found.address)) {
    throw new RefusedUrlError(
      "The file's address points into your own network; Wren does not fetch it.",
    );
  }
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}
