import type { SrvRecord } from "node:dns";
import { resolveSrv } from "node:dns/promises";
import { isIPv6 } from "node:net";
import { errorName } from "../shared/errors";
import { createLogger } from "../shared/log";

const log = createLogger("core/endpoints");

export interface EndpointOptions {
  domain: string;
  host?: string;
  port?: number;
  directTls: boolean;
}

export type SrvLookup = (name: string) => Promise<SrvRecord[]>;

const DEFAULT_PORT = { starttls: 5222, directTls: 5223 };

/**
 * The addresses to try, best first, as service URIs: `xmpps://` for XEP-0368 direct TLS, `xmpp://`
 * for STARTTLS. Both are TLS before anything else is said (see transport/), so mixing them loses no
 * security; a direct-TLS-only account gets only `xmpps://` addresses.
 *
 * Without a host override, both SRV names are asked at once and merged as XEP-0368 §3 says: by
 * priority, then weight, and direct TLS first where the two tie. With no usable record at all, RFC
 * 6120 §3.2.2 falls back to the domain itself on the standard port.
 *
 * Wren resolves SRV itself instead of handing the domain to xmpp.js: its resolver swallows the
 * connection errors and skips the TLS options Wren sets.
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

  const [direct, starttls] = await Promise.all([
    usableRecords(lookup, `_xmpps-client._tcp.${options.domain}`),
    options.directTls ? [] : usableRecords(lookup, `_xmpp-client._tcp.${options.domain}`),
  ]);
  const candidates = [
    ...direct.map((record) => ({ record, scheme: "xmpps", rank: 0 })),
    ...starttls.map((record) => ({ record, scheme: "xmpp", rank: 1 })),
  ];
  if (candidates.length === 0) {
    return [serviceUri(scheme, options.domain, options.port ?? defaultPort)];
  }
  candidates.sort(
    (a, b) =>
      a.record.priority - b.record.priority || b.record.weight - a.record.weight || a.rank - b.rank,
  );
  const uris = candidates.map(({ record, scheme }) => serviceUri(scheme, record.name, record.port));
  return [...new Set(uris)];
}

async function usableRecords(lookup: SrvLookup, name: string): Promise<SrvRecord[]> {
  try {
    // A single "." target means the service is decidedly not available (RFC 2782).
    return (await lookup(name)).filter((record) => record.name && record.name !== ".");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    // No such records is the usual answer; a failing resolver is worth a line (the domain is tried).
    if (code !== "ENOTFOUND" && code !== "ENODATA") {
      log.info("SRV lookup failed", { name, code, error: errorName(error) });
    }
    return [];
  }
}

function serviceUri(scheme: string, host: string, port: number): string {
  const name = host.replace(/\.$/, "");
  return `${scheme}://${isIPv6(name) ? `[${name}]` : name}:${port}`;
}

/** The host name of an endpoint URI (xmpp:host:port or xmpps:host:port), for messages. */
export function hostOf(service: string): string {
  try {
    return new URL(service).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return service; // not a URI: the message shows it as it is
  }
}
