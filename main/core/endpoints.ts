import type { SrvRecord } from "node:dns";
import { resolveSrv } from "node:dns/promises";
import { isIPv6 } from "node:net";

export interface EndpointOptions {
  domain: string;
  host?: string;
  port?: number;
  directTls: boolean;
}

export type SrvLookup = (name: string) => Promise<SrvRecord[]>;

const DEFAULT_PORT = { starttls: 5222, directTls: 5223 };

/**
 * The addresses to try, best first, as xmpp.js service URIs: `xmpps://` for XEP-0368 direct TLS,
 * `xmpp://` for STARTTLS. Only the kind the account asked for is ever returned, so a direct-TLS
 * account can never fall back to a plaintext port.
 *
 * Wren resolves SRV itself instead of handing the domain to xmpp.js: its resolver mixes both
 * kinds, swallows the connection errors, and skips the TLS options we set for direct TLS.
 */
export async function resolveEndpoints(
  options: EndpointOptions,
  lookup: SrvLookup = resolveSrv,
): Promise<string[]> {
  const scheme = options.directTls ? "xmpps" : "xmpp";
  const defaultPort = options.directTls ? DEFAULT_PORT.directTls : DEFAULT_PORT.starttls;

  if (options.host) {
    return [serviceUri(scheme, options.host, options.port ?? defaultPort)];
  }

  const service = options.directTls ? "_xmpps-client" : "_xmpp-client";
  let records: SrvRecord[] = [];
  try {
    records = await lookup(`${service}._tcp.${options.domain}`);
  } catch {
    // No SRV records (or no DNS answer for them): RFC 6120 §3.2.2 falls back to the domain itself.
  }

  // A single "." target means the service is decidedly not available (RFC 2782).
  const usable = records.filter((record) => record.name && record.name !== ".");
  if (usable.length === 0) {
    return [serviceUri(scheme, options.domain, options.port ?? defaultPort)];
  }
  return sortSrv(usable).map((record) => serviceUri(scheme, record.name, record.port));
}

/** Lower priority first; within a priority, higher weight first (a deterministic RFC 2782 order). */
export function sortSrv(records: SrvRecord[]): SrvRecord[] {
  return [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
}

function serviceUri(scheme: string, host: string, port: number): string {
  const name = host.replace(/\.$/, "");
  return `${scheme}://${isIPv6(name) ? `[${name}]` : name}:${port}`;
}
