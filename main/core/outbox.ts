import { xml, type Element } from "@xmpp/client";
import { NS_DELAY } from "./stanzas/namespaces";

/** How features talk to the server. The session provides it while online; tests provide a fake. */
export interface Outbox {
  send(stanza: Element): Promise<void>;
  /** Sends an <iq/> and resolves with the result stanza; rejects on an error reply or timeout. */
  request(iq: Element): Promise<Element>;
}

/** One of our stanzas the server did not acknowledge (XEP-0198), with when it was first sent. */
export interface Unacknowledged {
  stanza: Element;
  /** XEP-0082 date-time. */
  stamp: string;
}

/**
 * The person's chat messages among stanzas the server never acknowledged, ready to go out again on
 * a new session after a resume failed: same id (so a receiver can tell a repeat), and a XEP-0203
 * delay saying when they were written. Other stanzas are not repeated: presence is sent afresh,
 * and the callers of old requests have long been told they failed.
 */
export function chatMessagesToResend(queue: Unacknowledged[], from: string): Element[] {
  return queue
    .filter(({ stanza }) => isChatMessage(stanza))
    .map(({ stanza, stamp }) => {
      const copy = clone(stanza);
      if (!copy.getChild("delay", NS_DELAY))
        copy.append(xml("delay", { xmlns: NS_DELAY, from, stamp }));
      return copy;
    });
}

function isChatMessage(stanza: Element): boolean {
  return (
    stanza.is("message") &&
    (stanza.attrs.type ?? "normal") === "chat" &&
    Boolean(stanza.attrs.id) &&
    stanza.getChild("body") !== undefined
  );
}

function clone(element: Element): Element {
  return xml(
    element.name,
    { ...element.attrs },
    ...element.children.map((child) => (typeof child === "string" ? child : clone(child))),
  );
}
