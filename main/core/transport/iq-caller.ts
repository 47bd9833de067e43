import { randomBytes } from "node:crypto";
import { xml, type Client, type Element, type IqCaller } from "@xmpp/client";
import type { Middleware } from "@xmpp/middleware";
import StanzaError from "@xmpp/middleware/lib/StanzaError.js";
import { timeout } from "@xmpp/events";
import { bareOf, parseJid, toBareJid } from "../jid";

const DEFAULT_TIMEOUT_MS = 30_000;

interface Pending {
  /** Who may answer: full or bare JID strings, lower-cased; "" stands for "no from attribute". */
  from: Set<string>;
  resolve(stanza: Element): void;
  reject(error: unknown): void;
}

/**
 * Sends IQ requests and matches their answers, in place of @xmpp/iq's caller, which takes a reply
 * from anyone who guesses its short Math.random id. Here ids are 128 random bits, and a reply
 * counts only if it comes from the entity the request went to (RFC 6120 §8.2.3); a request without
 * `to` goes to the account's own server, which answers as the account, its domain, or without `from`.
 */
export function createIqCaller(entity: Client, middleware: Middleware): IqCaller {
  const pending = new Map<string, Pending>();

  middleware.use((ctx, next) => {
    const { stanza } = ctx;
    if (stanza.name !== "iq") return next();
    const type = stanza.attrs.type;
    if (type !== "result" && type !== "error") return next();
    const id = stanza.attrs.id ?? "";
    const waiting = pending.get(id);
    if (!waiting || !waiting.from.has(normalise(stanza.attrs.from ?? ""))) return next();
    pending.delete(id);
    if (type === "error") waiting.reject(StanzaError.fromElement(stanza.getChild("error")));
    else waiting.resolve(stanza);
    return undefined;
  });

  async function request(stanza: Element, ms = DEFAULT_TIMEOUT_MS): Promise<Element> {
    const id = randomBytes(16).toString("base64url");
    stanza.attrs.id = id;
    const answer = new Promise<Element>((resolve, reject) => {
      pending.set(id, { from: allowedRepliers(entity, stanza.attrs.to), resolve, reject });
    });
    // The answer can come while the request is still being written (a fast server on loopback):
    // an error answer then must not count as unhandled before timeout() below takes it.
    answer.catch(() => undefined);
    try {
      await entity.send(stanza);
      return await timeout(answer, ms);
    } finally {
      pending.delete(id);
    }
  }

  async function child(type: "get" | "set", element: Element, to?: string, ms?: number) {
    const reply = await request(xml("iq", { type, to }, element), ms);
    return reply.getChild(element.name, element.attrs.xmlns);
  }

  return {
    request,
    get: (element: Element, to?: string, ms?: number) => child("get", element, to, ms),
    set: (element: Element, to?: string, ms?: number) => child("set", element, to, ms),
  } as IqCaller;
}

function allowedRepliers(entity: Client, to: string | undefined): Set<string> {
  const own = entity.jid ? entity.jid.toString() : "";
  const ownBare = toBareJid(own) ?? "";
  const domain = entity.options.domain ?? "";
  const target = normalise(to ?? "");
  const toOwnServer = target === "" || target === normalise(ownBare);
  if (toOwnServer) return new Set(["", normalise(ownBare), normalise(own), normalise(domain)]);
  return new Set([target]);
}

/** JIDs compare case-insensitively in their local part and domain, exactly in the resource. */
function normalise(address: string): string {
  const parts = parseJid(address);
  if (!parts) return address;
  return parts.resource ? `${bareOf(parts)}/${parts.resource}` : bareOf(parts);
}
