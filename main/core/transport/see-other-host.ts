import type { Client, Element } from "@xmpp/client";
import { WrenError } from "../../shared/errors";

/** A `see-other-host` redirect Wren is willing to follow: the caller reconnects to `service`. */
export class RedirectError extends Error {
  readonly service: string;

  constructor(service: string) {
    super(`The server asked Wren to connect to ${service} instead.`);
    this.name = "RedirectError";
    this.service = service;
  }
}

/**
 * RFC 6120 §4.9.3.19 see-other-host, honoured only within the account's own domain: xmpp.js would
 * follow it to any host. The redirect surfaces as a RedirectError (or a readable refusal) on the
 * entity's "error" event; the session decides whether to dial again. The certificate is still
 * checked against the account's domain on the new host.
 */
export function guardSeeOtherHost(entity: Client, domain: string): void {
  const target = entity as unknown as {
    _onSeeOtherHost(error: { element: Element }): unknown;
    options: { service?: string };
  };
  target._onSeeOtherHost = (error) => {
    const host = (error.element.getChildText("see-other-host") ?? "").trim();
    const service = redirectService(target.options.service ?? "", host, domain);
    entity.emit(
      "error",
      service
        ? new RedirectError(service)
        : new WrenError(
            "stream-closed",
            `The server for ${domain} tried to send Wren to “${host.slice(0, 100)}”, which is not part of ${domain}. Wren refused to follow it.`,
          ),
    );
  };
}

/** The service URI to dial for `host` ("name" or "name:port"), or null when it leaves `domain`. */
export function redirectService(current: string, host: string, domain: string): string | null {
  const match = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(host);
  if (!match) return null;
  const name = (match[1] ?? "").toLowerCase().replace(/\.$/, "");
  const base = domain.toLowerCase();
  if (name !== base && !name.endsWith(`.${base}`)) return null;
  const scheme = current.startsWith("xmpps:") ? "xmpps" : "xmpp";
  const port = match[2] ? Number(match[2]) : scheme === "xmpps" ? 5223 : 5222;
  if (port < 1 || port > 65535) return null;
  return `${scheme}://${name}:${port}`;
}
