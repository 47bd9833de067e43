import type { Client, Element, Jid } from "@xmpp/client";

/**
 * What XEP-0198 needs to resume a lost stream on a new connection. @xmpp/stream-management keeps
 * it on the entity; Wren uses a fresh entity per attempt (so a stale attempt can never touch the
 * live one), and carries this over from the entity that lost its link.
 */
export interface Resumption {
  id: string;
  /** Stanzas we handled from the server: tells it what to send again. */
  inbound: number;
  /** Our stanzas it acknowledged. */
  outbound: number;
  /** Ours it did not acknowledge: xmpp.js sends them again on resume; we do on a fresh session. */
  queue: { stanza: Element; stamp: string }[];
  /** Our full JID: a resumed stream keeps it, and does not bind again. */
  jid: Jid;
}

/** The resumption state of an entity whose link was lost, or null if the server offered none. */
export function captureResumption(entity: Client): Resumption | null {
  const sm = entity.streamManagement;
  if (!sm.id || !entity.jid) return null;
  return {
    id: sm.id,
    inbound: sm.inbound,
    outbound: sm.outbound,
    queue: [...sm.outbound_q],
    jid: entity.jid,
  };
}

/** Makes a new entity ask to resume (instead of binding) once it has authenticated. */
export function restoreResumption(entity: Client, resumption: Resumption): void {
  const sm = entity.streamManagement;
  sm.id = resumption.id;
  setInbound(entity, resumption.inbound);
  sm.outbound = resumption.outbound;
  // A copy: if this attempt fails half-way, the next one starts from the same state.
  sm.outbound_q = [...resumption.queue];
  entity.jid = resumption.jid;
}

/** Resolves when the entity resumed its stream. */
export function onceResumed(entity: Client, callback: () => void): void {
  entity.streamManagement.once("resumed", callback);
}

const NS_SM = "urn:xmpp:sm:3";

/**
 * Takes XEP-0198's 'h' (stanzas handled) away from xmpp.js 0.14, which gets it wrong: its IQ
 * caller consumes the replies to our requests before the stream-management middleware counts them,
 * and it resets the count a few ticks after <enabled/> arrived, so stanzas in the same packet can
 * go uncounted too. A short 'h' makes the server believe we lost what we handled: it stores
 * messages offline again when we sign out and repeats them when we resume. Here every stanza is
 * counted from <enabled/> on, in order, once handled: at once for most, but for a message a
 * feature is storing (see handledOnceStored) only when it is stored — the server keeps what we
 * did not count, so a crash in between loses nothing. xmpp.js's own writes are ignored.
 */
export function countEveryStanza(entity: Client): void {
  const sm = entity.streamManagement;
  let count = sm.inbound;
  /** Stanzas not counted yet, in the order they came: the count stops at the first not handled. */
  let waiting: { handled: boolean }[] = [];
  Object.defineProperty(sm, "inbound", {
    configurable: true,
    enumerable: true,
    get: () => count,
    set: () => {},
  });
  counters.set(entity, (value) => {
    count = value;
    waiting = [];
  });
  const handled = (ticket: { handled: boolean }, line: { handled: boolean }[]) => {
    ticket.handled = true;
    if (line !== waiting) return; // counted anew since (<enabled/>, resumption)
    while (waiting[0]?.handled) {
      waiting.shift();
      count += 1;
    }
  };
  entity.prependListener("element", (element: Element) => {
    if (element.is("enabled", NS_SM) || enabledInline(element)) {
      count = 0;
      waiting = [];
    } else if (isStanza(element)) {
      const ticket = { handled: false };
      const line = waiting;
      line.push(ticket);
      // The router hands the stanza to the features in this turn (or, while the connection is
      // still being checked, holds it: then it counts as handled when this turn ends).
      setImmediate(() => {
        const stored = storing.get(element);
        if (!stored) handled(ticket, line);
        else
          stored.then(
            () => handled(ticket, line),
            () => handled(ticket, line),
          );
      });
    }
  });
}

const storing = new WeakMap<Element, Promise<unknown>>();

/**
 * A feature is storing `stanza`: it counts as handled (XEP-0198) once `stored` settles. Called
 * while the router hands the stanza over.
 */
export function handledOnceStored(stanza: Element, stored: Promise<unknown>): void {
  storing.set(stanza, stored);
}

const counters = new WeakMap<Client, (value: number) => void>();

function setInbound(entity: Client, value: number): void {
  const set = counters.get(entity);
  if (set) set(value);
  else entity.streamManagement.inbound = value;
}

/** XEP-0198 enabled inside SASL2's <success><bound/> (Bind2), counted from there like <enabled/>. */
function enabledInline(element: Element): boolean {
  if (!element.is("success", "urn:xmpp:sasl:2")) return false;
  return Boolean(element.getChild("bound", "urn:xmpp:bind:0")?.getChild("enabled", NS_SM));
}

function isStanza(element: Element): boolean {
  return element.is("message") || element.is("presence") || element.is("iq");
}
