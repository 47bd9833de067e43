import { xml, type Element } from "@xmpp/client";
import { bareOf, parseJid, toBareJid } from "../jid";

/** XEP-0280 Message Carbons. */
export const NS_CARBONS = "urn:xmpp:carbons:2";
/** XEP-0297 Stanza Forwarding: what a carbon copy is wrapped in. */
export const NS_FORWARD = "urn:xmpp:forward:0";

/**
 * What a <message/> carrying a carbon copy amounts to:
 * - `copy`: our server's copy of a message another of the account's devices received ("in") or
 *   sent ("out");
 * - `forged`: a copy from anyone but the account's own bare JID, which XEP-0280 §11 says to ignore;
 * - `malformed`: from our account, but not exactly one <received/> or <sent/> holding exactly one
 *   <forwarded/> holding exactly one <message/>.
 */
export type Carbon =
  | { kind: "copy"; direction: "in" | "out"; message: Element }
  | { kind: "forged"; from: string }
  | { kind: "malformed" };

/**
 * The carbon copy `stanza` carries for `account` (a bare JID), or null when it carries none. Only
 * the wrapper is read: the forwarded message is handed on unparsed.
 */
export function parseCarbon(stanza: Element, account: string): Carbon | null {
  if (!stanza.is("message")) return null;
  const wrappers = stanza
    .getChildElements()
    .filter((child) => child.is("received", NS_CARBONS) || child.is("sent", NS_CARBONS));
  const [wrapper] = wrappers;
  if (!wrapper) return null;
  const from: unknown = stanza.attrs.from;
  if (typeof from !== "string" || !isBareJidOf(from, account)) {
    return { kind: "forged", from: typeof from === "string" ? from : "" };
  }
  const forwarded = wrappers.length === 1 ? wrapper.getChildren("forwarded", NS_FORWARD) : [];
  const messages = forwarded.length === 1 ? forwarded[0]!.getChildren("message") : [];
  const [message] = messages;
  if (!message || messages.length !== 1) return { kind: "malformed" };
  return { kind: "copy", direction: wrapper.name === "received" ? "in" : "out", message };
}

/** Exactly the account's bare JID (RFC 7622 case rules): not a resource of it, not its domain. */
function isBareJidOf(value: string, account: string): boolean {
  const jid = parseJid(value);
  return jid !== null && jid.resource === "" && bareOf(jid) === toBareJid(account);
}

/** The request that turns carbons on for this session (XEP-0280 §4). */
export function buildEnableCarbons(): Element {
  return xml("iq", { type: "set" }, xml("enable", { xmlns: NS_CARBONS }));
}
