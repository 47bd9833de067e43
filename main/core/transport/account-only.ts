import { xml, type Client, type Element } from "@xmpp/client";
import type { Middleware } from "@xmpp/middleware";
import { NS_ROSTER } from "../stanzas/namespaces";
import { parseJid, toBareJid } from "../jid";

/** Requests only the account itself (its server, on its behalf) may make of us. */
const ACCOUNT_ONLY_NAMESPACES = new Set([NS_ROSTER]);

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/**
 * A rule of the core rather than of each feature: an IQ get/set in an account-only namespace from
 * anyone but our own account (RFC 6121 §2.1.6: no `from`, or our bare JID) is answered with
 * service-unavailable and goes no further, so no handler can forget the check.
 */
export function allowOnlyOwnAccount(entity: Client, middleware: Middleware): void {
  middleware.use((ctx, next) => refuseForeignRequest(entity, ctx.stanza) ?? next());
}

/** The error reply to an account-only request from anyone but our account; null when it may pass. */
export function refuseForeignRequest(entity: Pick<Client, "jid">, stanza: Element): Element | null {
  if (stanza.name !== "iq") return null;
  const type = stanza.attrs.type;
  if (type !== "get" && type !== "set") return null;
  const payload = stanza.getChildElements()[0];
  if (!payload || !ACCOUNT_ONLY_NAMESPACES.has(payload.getNS() ?? "")) return null;
  if (isOwnAccount(entity, stanza.attrs.from)) return null;
  return xml(
    "iq",
    { type: "error", id: stanza.attrs.id, to: stanza.attrs.from },
    xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: NS_STANZAS })),
  );
}

export function isOwnAccount(entity: Pick<Client, "jid">, from: string | undefined): boolean {
  if (from === undefined) return true;
  const own = entity.jid ? toBareJid(entity.jid.toString()) : null;
  const sender = parseJid(from);
  return own !== null && sender !== null && !sender.resource && toBareJid(from) === own;
}
