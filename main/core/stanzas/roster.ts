import { xml, type Element } from "@xmpp/client";
import type { RosterItem, Subscription } from "../../../preload/contract";
import { parseJid, toBareJid } from "../jid";
import { NS_ROSTER } from "./namespaces";

const SUBSCRIPTIONS = new Set<Subscription>(["none", "to", "from", "both", "remove"]);
const MAX_NAME = 1024;
const MAX_GROUPS = 64;

/** A roster <item/> as plain data, or null when it is unusable (no JID, or a full JID). */
export function parseRosterItem(item: Element): RosterItem | null {
  const parts = parseJid(item.attrs.jid);
  if (!parts || parts.resource) return null;
  const jid = toBareJid(item.attrs.jid);
  if (!jid) return null;

  const subscription = item.attrs.subscription ?? "none";
  const groups = new Set<string>();
  for (const group of item.getChildren("group")) {
    const name = group.getText().trim();
    if (name && groups.size < MAX_GROUPS) groups.add(name.slice(0, MAX_NAME));
  }

  return {
    jid,
    name: (item.attrs.name ?? "").slice(0, MAX_NAME),
    groups: [...groups],
    subscription: SUBSCRIPTIONS.has(subscription as Subscription)
      ? (subscription as Subscription)
      : "none",
    pendingOut: item.attrs.ask === "subscribe",
  };
}

/** The items of a roster result (<iq type="result"><query/></iq>), skipping unusable ones. */
export function parseRosterResult(iq: Element): RosterItem[] {
  const query = iq.getChild("query", NS_ROSTER);
  if (!query) return [];
  const items: RosterItem[] = [];
  for (const child of query.getChildren("item")) {
    const item = parseRosterItem(child);
    if (item) items.push(item);
  }
  return items;
}

/**
 * A roster push (RFC 6121 §2.1.6), or null when it is not a valid push for this account.
 * Only our own server may push: no `from`, or `from` equal to the account's bare JID. Anything
 * else could be a contact trying to rewrite our roster.
 */
export function parseRosterPush(iq: Element, accountJid: string): RosterItem | null {
  if (!iq.is("iq") || iq.attrs.type !== "set") return null;
  const from = iq.attrs.from;
  if (from !== undefined && from !== "") {
    const parts = parseJid(from);
    if (!parts || parts.resource || toBareJid(from) !== accountJid) return null;
  }
  const query = iq.getChild("query", NS_ROSTER);
  const items = query?.getChildren("item") ?? [];
  if (items.length !== 1 || !items[0]) return null;
  return parseRosterItem(items[0]);
}

export function buildRosterGet(): Element {
  return xml("iq", { type: "get" }, xml("query", { xmlns: NS_ROSTER }));
}

export function buildRosterSet(jid: string, name?: string, groups: string[] = []): Element {
  return xml(
    "iq",
    { type: "set" },
    xml(
      "query",
      { xmlns: NS_ROSTER },
      xml(
        "item",
        { jid, name: name || undefined },
        groups.map((group) => xml("group", {}, group)),
      ),
    ),
  );
}
