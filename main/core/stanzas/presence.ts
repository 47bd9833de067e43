import { xml, type Element } from "@xmpp/client";
import type { Show } from "../../../preload/contract";
import { bareOf, parseJid } from "../jid";

export type SubscriptionType = "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed";

export type PresenceUpdate =
  | {
      kind: "available";
      /** Bare JID of the sender. */
      jid: string;
      resource: string;
      show: Show;
      status: string;
      priority: number;
    }
  | { kind: "unavailable"; jid: string; resource: string }
  | { kind: "subscription"; jid: string; type: SubscriptionType };

const SHOWS = new Set(["chat", "away", "xa", "dnd"]);
const SUBSCRIPTION_TYPES = new Set(["subscribe", "subscribed", "unsubscribe", "unsubscribed"]);
const MAX_STATUS = 1024;

/**
 * A presence stanza as plain data, or null for what Wren does not act on: errors, probes, unknown
 * types and presences without a valid sender.
 */
export function parsePresence(stanza: Element): PresenceUpdate | null {
  if (!stanza.is("presence")) return null;
  const from = parseJid(stanza.attrs.from);
  if (!from) return null;
  const jid = bareOf(from);
  const type = stanza.attrs.type;

  if (type === undefined || type === "") {
    const show = stanza.getChildText("show")?.trim() ?? "";
    return {
      kind: "available",
      jid,
      resource: from.resource,
      show: SHOWS.has(show) ? (show as Show) : "online",
      status: (stanza.getChildText("status") ?? "").slice(0, MAX_STATUS),
      priority: parsePriority(stanza.getChildText("priority")),
    };
  }
  if (type === "unavailable") return { kind: "unavailable", jid, resource: from.resource };
  if (SUBSCRIPTION_TYPES.has(type)) {
    return { kind: "subscription", jid, type: type as SubscriptionType };
  }
  return null;
}

/** RFC 6121 §4.7.2.3: an integer from -128 to 127; anything else counts as 0. */
export function parsePriority(text: string | null): number {
  if (text === null || !/^\s*[+-]?\d{1,3}\s*$/.test(text)) return 0;
  const value = Number(text);
  return value >= -128 && value <= 127 ? value : 0;
}

/** Our own available presence. "online" is the absence of <show/>. */
export function buildPresence(show: Show, status: string, priority = 0): Element {
  return xml(
    "presence",
    {},
    show !== "online" && xml("show", {}, show),
    status !== "" && xml("status", {}, status),
    priority !== 0 && xml("priority", {}, String(priority)),
  );
}

export function buildSubscription(type: SubscriptionType, to: string): Element {
  return xml("presence", { type, to });
}
