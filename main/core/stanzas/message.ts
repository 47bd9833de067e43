import { xml, type Element } from "@xmpp/client";
import { bareOf, parseJid, toBareJid } from "../jid";
import { NS_DELAY, NS_OOB, NS_SID } from "./namespaces";

export interface IncomingChat {
  /** The stanza's id; empty when the sender gave none. */
  id: string;
  /** Bare JID of the sender. */
  from: string;
  /** Bare JID it was addressed to, when it names one: the conversation of our own copies. */
  to?: string;
  body: string;
  /** Milliseconds since the epoch: the XEP-0203 stamp when present, otherwise `receivedAt`. */
  timestamp: number;
  delayed: boolean;
  /** XEP-0359 origin-id, set by the sender's client; null when absent. */
  originId: string | null;
  /** XEP-0359 stanza-ids, each with the entity that gave it; trust is the caller's decision. */
  stanzaIds: { id: string; by: string }[];
  /** XEP-0066: the URL of a file it carries, as given (at most MAX_URL_LENGTH); null when none. */
  fileUrl: string | null;
}

/** Longer URLs are not kept (a URL is remote-controlled text like any other). */
const MAX_URL_LENGTH = 4096;

/** Ids are the sender's choice: longer ones are not ids Wren keeps (XEP-0359 allows 128 chars). */
const MAX_ID_LENGTH = 128;
/** A server adds one stanza-id; a few more cost nothing, thousands would. */
const MAX_STANZA_IDS = 8;

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
    id: boundedId(stanza.attrs.id) ?? "",
    from: bareOf(from),
    to: toBareJid(stanza.attrs.to) ?? undefined,
    body,
    timestamp: stamp ?? receivedAt,
    delayed: stamp !== null,
    originId: boundedId(stanza.getChild("origin-id", NS_SID)?.attrs.id),
    stanzaIds: parseStanzaIds(stanza),
    fileUrl: parseOob(stanza),
  };
}

function parseOob(stanza: Element): string | null {
  const url = stanza.getChild("x", NS_OOB)?.getChildText("url")?.trim();
  return url && url.length <= MAX_URL_LENGTH ? url : null;
}

function boundedId(value: unknown): string | null {
  return typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH ? value : null;
}

function parseStanzaIds(stanza: Element): { id: string; by: string }[] {
  const found: { id: string; by: string }[] = [];
  for (const child of stanza.getChildren("stanza-id", NS_SID)) {
    const id = boundedId(child.attrs.id);
    const by = parseJid(child.attrs.by);
    if (id && by && found.length < MAX_STANZA_IDS) found.push({ id, by: bareOf(by) });
  }
  return found;
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

/** A chat message whose origin-id (XEP-0359) is its id, so every copy of it can be told apart. */
export function buildChatMessage(to: string, id: string, body: string): Element {
  return xml(
    "message",
    { type: "chat", to, id },
    xml("body", {}, body),
    xml("origin-id", { xmlns: NS_SID, id }),
  );
}
