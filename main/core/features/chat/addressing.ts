import type { Element } from "@xmpp/client";
import { WrenError } from "../../../shared/errors";
import { parseJid, toBareJid } from "../../jid";
import { parseChatExtensions } from "../../stanzas/chat-extensions";
import { parseChatMessage } from "../../stanzas/message";
import type { Arrival } from "./inbound";

// Who a chat message is from and for, and what of it may be believed: plain functions the chat
// feature applies to every stanza.

const MAX_BODY = 100_000;

/** An archived message as the archive feature hands it over. */
export interface ArchivedMessage {
  /** The forwarded <message/>. */
  message: Element;
  archiveId: string;
  /** The archive's time (its <delay/>), or null when it gave none. */
  serverAt: number | null;
}

export function isChatType(stanza: Element): boolean {
  const type = stanza.attrs.type ?? "normal";
  return stanza.is("message") && (type === "chat" || type === "normal");
}

export function checkBody(body: string): void {
  if (body.length === 0 || body.length > MAX_BODY) {
    throw new WrenError(
      "invalid-argument",
      "A message must have between 1 and 100,000 characters.",
    );
  }
}

/** Where a message the person writes to `to` goes, and whose conversation it is in. */
export function addressOf(to: string): { address: string; peer: string } {
  const target = parseJid(to.trim());
  const peer = toBareJid(to.trim());
  if (!target || !peer) {
    throw new WrenError("invalid-argument", `“${to}” is not an address like name@example.org.`);
  }
  return { address: target.resource ? `${peer}/${target.resource}` : peer, peer };
}

/** The conversation a message belongs to: the sender's, or for our own, the addressee's. */
export function peerOf(account: string, message: Element, direction: "in" | "out"): string | null {
  const from = toBareJid(message.attrs.from);
  if (direction === "in") return from && from !== account ? from : null;
  if (from !== account) return null;
  const to = toBareJid(message.attrs.to);
  return to && to !== account ? to : null;
}

/** The stanza-id our own archive gave a live message, when we may trust it. */
export function trustedArchiveId(stanza: Element, account: string, trusts: boolean): string | null {
  if (!trusts) return null;
  const parsed = parseChatMessage(stanza, 0);
  return parsed?.stanzaIds.find((id) => id.by === account)?.id ?? null;
}

/** What a marker or receipt for this message must name: its origin-id, else its id. */
export function referenceOf(stanza: Element): string {
  const parsed = parseChatMessage(stanza, 0);
  return parsed?.originId ?? stanza.attrs.id ?? "";
}

/**
 * Archived messages as arrivals to keep: ours ("out") or the peer's ("in"), at the archive's time
 * unless the sender stamped its own; anything else (no body, another type, no conversation) left.
 */
export function archivedArrivals(
  items: readonly ArchivedMessage[],
  account: string,
  receivedAt: number,
): Arrival[] {
  const arrivals: Arrival[] = [];
  for (const item of items) {
    const direction = toBareJid(item.message.attrs.from) === account ? "out" : "in";
    const peer = peerOf(account, item.message, direction);
    const parsed = parseChatMessage(item.message, item.serverAt ?? receivedAt);
    if (!peer || !parsed || !isChatType(item.message)) continue;
    const message = parsed.delayed ? parsed : { ...parsed, timestamp: item.serverAt ?? receivedAt };
    arrivals.push({
      message,
      peer,
      direction,
      archiveId: item.archiveId,
      serverAt: item.serverAt,
      archived: true,
      replaceId: parseChatExtensions(item.message).replaceId,
      receivedAt,
    });
  }
  return arrivals;
}
