import { xml, type Element } from "@xmpp/client";
import type { ChatState } from "../../../preload/contract";
import {
  NS_CHAT_STATES,
  NS_CORRECTION,
  NS_HINTS,
  NS_MARKERS,
  NS_OOB,
  NS_RECEIPTS,
  NS_SID,
} from "./namespaces";

// What a chat message carries besides its text: receipts (XEP-0184), displayed markers
// (XEP-0333), chat states (XEP-0085) and corrections (XEP-0308). Parsed into plain data here;
// whether to believe any of it is the chat feature's decision.

/** Ids are the sender's choice: longer ones are not ids Wren keeps (XEP-0359 allows 128 chars). */
const MAX_ID_LENGTH = 128;

const CHAT_STATES: readonly ChatState[] = ["active", "composing", "paused", "inactive", "gone"];

export interface ChatExtensions {
  /** The sender asks for a receipt (XEP-0184 <request/>). */
  wantsReceipt: boolean;
  /** A receipt for the message with this id. */
  receivedId: string | null;
  /** The sender asks for displayed markers (XEP-0333 <markable/>). */
  markable: boolean;
  /** The message with this id (and those before it) was displayed. */
  displayedId: string | null;
  chatState: ChatState | null;
  /** This message corrects the one with this id (XEP-0308). */
  replaceId: string | null;
}

export function parseChatExtensions(stanza: Element): ChatExtensions {
  return {
    wantsReceipt: stanza.getChild("request", NS_RECEIPTS) !== undefined,
    receivedId: boundedId(stanza.getChild("received", NS_RECEIPTS)?.attrs.id),
    markable: stanza.getChild("markable", NS_MARKERS) !== undefined,
    displayedId: boundedId(stanza.getChild("displayed", NS_MARKERS)?.attrs.id),
    chatState: parseChatState(stanza),
    replaceId: boundedId(stanza.getChild("replace", NS_CORRECTION)?.attrs.id),
  };
}

function parseChatState(stanza: Element): ChatState | null {
  for (const child of stanza.getChildElements()) {
    if (child.attrs.xmlns !== NS_CHAT_STATES) continue;
    const state = CHAT_STATES.find((name) => name === child.name);
    if (state) return state;
  }
  return null;
}

function boundedId(value: unknown): string | null {
  return typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH ? value : null;
}

export interface OutgoingChat {
  to: string;
  /** Wren's id of the message: its stanza id and origin-id too. */
  id: string;
  body: string;
  /** XEP-0308: the id (as the peer knows it) of the message this corrects. */
  replaces?: string;
  /** XEP-0203: when it was written, for a message that goes out late (written offline, resent). */
  writtenAt?: { stamp: string; from: string };
  /** XEP-0066: the URL of the file the message carries (its body is then that URL). */
  fileUrl?: string;
}

/**
 * A chat message as Wren sends it: its origin-id is its id, so every copy can be told apart; it
 * asks for a receipt and for displayed markers, and says the person is active in the chat.
 */
export function buildOutgoingChat(message: OutgoingChat): Element {
  return xml(
    "message",
    { type: "chat", to: message.to, id: message.id },
    xml("body", {}, message.body),
    xml("origin-id", { xmlns: NS_SID, id: message.id }),
    xml("request", { xmlns: NS_RECEIPTS }),
    xml("markable", { xmlns: NS_MARKERS }),
    xml("active", { xmlns: NS_CHAT_STATES }),
    message.replaces ? xml("replace", { xmlns: NS_CORRECTION, id: message.replaces }) : undefined,
    message.writtenAt ? xml("delay", { xmlns: "urn:xmpp:delay", ...message.writtenAt }) : undefined,
    message.fileUrl ? xml("x", { xmlns: NS_OOB }, xml("url", {}, message.fileUrl)) : undefined,
  );
}

/**
 * XEP-0184: the message with `id` arrived. Of type chat so that carbons copy it to the person's
 * other devices, which then know it was answered.
 */
export function buildReceipt(to: string, id: string): Element {
  return xml(
    "message",
    { to, type: "chat", id: `r-${id}` },
    xml("received", { xmlns: NS_RECEIPTS, id }),
  );
}

/** XEP-0333: the person saw everything up to the message `id`. Stored, so other devices learn it. */
export function buildDisplayed(to: string, id: string): Element {
  return xml(
    "message",
    { to, type: "chat", id: `d-${id}` },
    xml("displayed", { xmlns: NS_MARKERS, id }),
    xml("store", { xmlns: NS_HINTS }),
  );
}

/** XEP-0085 standalone notification; never stored or archived (XEP-0334 no-store). */
export function buildChatState(to: string, state: ChatState): Element {
  return xml(
    "message",
    { to, type: "chat" },
    xml(state, { xmlns: NS_CHAT_STATES }),
    xml("no-store", { xmlns: NS_HINTS }),
  );
}
