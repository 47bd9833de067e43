import { jid, type Client, type Element } from "@xmpp/client";
import { NS_BIND2 } from "./bind2-request";
import { NS_FAST, readToken, type FastToken } from "./fast-token";
import type { InlineRegistry } from "./sasl2-inline";
import { NS_SASL2 } from "./sasl2-offer";

type Entity = Client & { _jid(id: string): unknown; _ready(resumed: boolean): void };

export interface SuccessHandlers {
  sasl2: InlineRegistry;
  bind2: InlineRegistry;
  /** The mechanism a <token/> in this <success/> is for; null when none was asked for. */
  tokenMechanism: string | null;
  onToken(token: FastToken): void;
}

/**
 * What a verified <success/> changes: the JID, then its children in order. <bound/> means the
 * stream is a session now, as after RFC 6120 binding (what xmpp.js's bind2 does too); there is no
 * stream restart, and the stream features the server sends next find the entity online.
 */
export function applySuccess(client: Client, success: Element, handlers: SuccessHandlers): void {
  const entity = client as Entity;
  adoptJid(entity, authorizationIdentifier(success));
  for (const child of success.getChildElements()) {
    const ns = child.getNS() ?? "";
    if (child.is("bound", NS_BIND2)) {
      if (entity.status !== "online") entity._ready(false);
      for (const answer of child.getChildElements()) {
        handlers.bind2.deliver(answer.getNS() ?? "", answer);
      }
    } else if (child.is("token", NS_FAST)) {
      const token = handlers.tokenMechanism && readToken(child, handlers.tokenMechanism);
      if (token) handlers.onToken(token);
    } else if (ns !== NS_SASL2) {
      handlers.sasl2.deliver(ns, child);
    }
  }
}

/** XEP-0388 names it <authorization-identifier/>; XEP-0386 and XEP-0484 examples, -identity. */
function authorizationIdentifier(success: Element): string | null {
  const text =
    success.getChildText("authorization-identifier", NS_SASL2) ??
    success.getChildText("authorization-identity", NS_SASL2);
  return text?.trim() || null;
}

/**
 * A bare JID does not replace a full one of the same account: restoreResumption() set that, and a
 * XEP-0198 resumption after authentication keeps it.
 */
function adoptJid(entity: Entity, identifier: string | null): void {
  if (!identifier) return;
  const next = jid(identifier);
  const current = entity.jid;
  if (!next.resource && current && current.bare().toString() === next.toString()) return;
  entity._jid(identifier);
}
