import { xml, type Element } from "@xmpp/client";
import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import { bareOf, parseJid } from "../../jid";
import type { Outbox } from "../../outbox";
import { BoundedMap, type CapsCache } from "./bounded-map";
import { capsHash, isSupportedHash, type CapsHashName } from "./caps-hash";
import {
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  parseCaps,
  parseDiscoInfo,
  parseDiscoItems,
  type Caps,
  type DiscoInfo,
  type DiscoItem,
  type ParsedDiscoInfo,
} from "./parse";

/** Most entities whose caps we remember: any sender can fill this, so the oldest go first. */
export const PRESENCE_CAPS_LIMIT = 5000;

/** A shared caps query's outcome; `from` is the entity that was asked. */
interface Verification {
  from: string;
  info: DiscoInfo | null;
  verified: boolean;
}

/**
 * What other entities can do: caps learned from their presence, answers checked against the
 * caps hash and cached by 'ver', and the disco#info queries behind them, one at a time for the
 * same question.
 */
export class RemoteDisco {
  readonly #caps = new BoundedMap<string, Caps>(PRESENCE_CAPS_LIMIT, false);
  /** Caps queries in flight by hash and ver: all who advertise that ver wait for one answer. */
  readonly #verifying = new Map<string, Promise<Verification>>();
  /** Plain queries in flight, by JID and node. */
  readonly #asking = new Map<string, Promise<DiscoInfo | null>>();

  constructor(
    private readonly cache: CapsCache,
    private readonly log: Logger,
    /** The live connection's outbox; null while there is none. */
    private readonly outbox: () => Outbox | null,
  ) {}

  /** Remembers the caps of an available presence; forgets them when the entity goes away. */
  learn(presence: Element): void {
    const from = jidKey(presence.attrs.from);
    if (!from) return;
    const type = presence.attrs.type;
    if (type === "unavailable") {
      this.#caps.delete(from);
      return;
    }
    if (type) return;
    // No <c/> keeps what we knew: a server may strip repeated caps (XEP-0115 §8.4).
    const caps = parseCaps(presence);
    if (caps) this.#caps.set(from, caps);
  }

  /** Presence no longer holds once the session is gone; what the caps said stays cached. */
  forgetPresences(): void {
    this.#caps.clear();
  }

  capsOf(jid: string): Caps | undefined {
    const key = jidKey(jid);
    return key ? this.#caps.get(key) : undefined;
  }

  /**
   * What `jid` can do: from the cache when its caps 'ver' is known and verified, otherwise by
   * asking it. Null when it cannot be known (offline, an error, no answer).
   */
  async infoOf(jid: string): Promise<DiscoInfo | null> {
    const key = jidKey(jid);
    if (!key) return null;
    const caps = this.#caps.get(key);
    if (!caps) return this.#ask(key);
    const node = `${caps.node}#${caps.ver}`;
    // §5.4 step 2: a hash we cannot check is asked about, and the answer kept for that JID only.
    const hash = caps.hash;
    if (!isSupportedHash(hash)) return this.#ask(key, node);
    const cached = this.cache.get(hash, caps.ver);
    if (cached) return cached;
    const verification = await this.#verify(key, caps, hash);
    if (verification.verified || verification.from === key) return verification.info;
    // Another entity advertising the same ver answered, and not truthfully: ask this one.
    return this.#ask(key, node);
  }

  /** The items of `jid` (at `node`), or null when they cannot be known. Not cached. */
  async itemsOf(jid: string, node?: string): Promise<DiscoItem[] | null> {
    const key = jidKey(jid);
    const outbox = this.outbox();
    if (!key || !outbox) return null;
    try {
      const result = await outbox.request(buildItemsRequest(key, node));
      const query = result.getChild("query", NS_DISCO_ITEMS);
      return query ? parseDiscoItems(query) : [];
    } catch (error) {
      this.log.debug("a disco#items query failed", { error: errorName(error) });
      return null;
    }
  }

  #verify(jid: string, caps: Caps, hash: CapsHashName): Promise<Verification> {
    const key = `${hash} ${caps.ver}`;
    let pending = this.#verifying.get(key);
    if (!pending) {
      pending = this.#query(jid, `${caps.node}#${caps.ver}`).then((parsed) =>
        this.#check(jid, caps, hash, parsed),
      );
      this.#verifying.set(key, pending);
      void pending.finally(() => this.#verifying.delete(key));
    }
    return pending;
  }

  #check(
    jid: string,
    caps: Caps,
    hash: CapsHashName,
    parsed: ParsedDiscoInfo | null,
  ): Verification {
    if (!parsed) return { from: jid, info: null, verified: false };
    const ver = parsed.verifiable ? capsHash(parsed.info, hash) : null;
    if (ver === caps.ver) {
      this.cache.set(hash, caps.ver, parsed.info);
      return { from: jid, info: parsed.info, verified: true };
    }
    this.log.warn("an entity's disco#info does not match its caps hash; not cached", {
      node: caps.node.slice(0, 100),
      hash,
      reason: !parsed.verifiable ? "cut or unreadable" : ver === null ? "ill-formed" : "mismatch",
    });
    return { from: jid, info: parsed.info, verified: false };
  }

  #ask(jid: string, node?: string): Promise<DiscoInfo | null> {
    const key = `${jid} ${node ?? ""}`;
    let pending = this.#asking.get(key);
    if (!pending) {
      pending = this.#query(jid, node).then((parsed) => parsed?.info ?? null);
      this.#asking.set(key, pending);
      void pending.finally(() => this.#asking.delete(key));
    }
    return pending;
  }

  /** One disco#info query; never rejects. */
  async #query(jid: string, node?: string): Promise<ParsedDiscoInfo | null> {
    const outbox = this.outbox();
    if (!outbox) return null;
    try {
      const result = await outbox.request(buildInfoRequest(jid, node));
      const query = result.getChild("query", NS_DISCO_INFO);
      return query ? parseDiscoInfo(query) : null;
    } catch (error) {
      this.log.debug("a disco#info query failed", { error: errorName(error) });
      return null;
    }
  }
}

/** A JID as a map key: local part and domain lower-cased; null when it is not a JID. */
export function jidKey(value: string | undefined): string | null {
  const parts = parseJid(value);
  if (!parts) return null;
  return parts.resource ? `${bareOf(parts)}/${parts.resource}` : bareOf(parts);
}

export function buildInfoRequest(to: string, node?: string): Element {
  return xml(
    "iq",
    { type: "get", to },
    xml("query", { xmlns: NS_DISCO_INFO, ...(node && { node }) }),
  );
}

export function buildItemsRequest(to: string, node?: string): Element {
  return xml(
    "iq",
    { type: "get", to },
    xml("query", { xmlns: NS_DISCO_ITEMS, ...(node && { node }) }),
  );
}
