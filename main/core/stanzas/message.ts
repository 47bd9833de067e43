import { xml, type Element } from "@xmpp/client";
import { bareOf, parseJid } from "../jid";
import { NS_DELAY } from "./namespaces";

export interface IncomingChat {
  /** The stanza's id; empty when the sender gave none. */
  id: string;
  /** Bare JID of the sender. */
  from: string;
  body: string;
  /** Milliseconds since the epoch: the XEP-0203 stamp when present, otherwise `receivedAt`. */
  timestamp: number;
  delayed: boolean;
}

const XMPP_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A one-to-one message with a body, as plain data; null for everything else (errors, groupchat,
 * headlines, chat states without text, stanzas without a valid sender).
 */
export function parseChatMessage(stanza: Element, receivedAt: number): IncomingChat | null {
  if (!stanza.is("message")) return null;
  const type = stanza.attrs.type ?? "normal";
  if (type !== "chat" && type !== "normal") return null;

  const from = parseJid(stanza.attrs.from);
  if (!from) return null;

  const body = pickBody(stanza);
  if (body === null || body === "") return null;

  const stamp = parseDelay(stanza);
  return {
    id: stanza.attrs.id ?? "",
    from: bareOf(from),
    body,
    timestamp: stamp ?? receivedAt,
    delayed: stamp !== null,
  };
}

/** The body without xml:lang, or else the first one. Always plain text. */
function pickBody(stanza: Element): string | null {
  const bodies = stanza.getChildren("body");
  const body = bodies.find((candidate) => !candidate.attrs["xml:lang"]) ?? bodies[0];
  return body ? body.getText() : null;
}

/** The XEP-0203 <delay stamp="…"/> as epoch milliseconds, or null when absent or malformed. */
export function parseDelay(stanza: Element): number | null {
  const stamp = stanza.getChild("delay", NS_DELAY)?.attrs.stamp;
  if (!stamp || !XMPP_DATETIME.test(stamp)) return null;
  const value = Date.parse(stamp);
  return Number.isFinite(value) ? value : null;
}

export function buildChatMessage(to: string, id: string, body: string): Element {
  return xml("message", { type: "chat", to, id }, xml("body", {}, body));
}
