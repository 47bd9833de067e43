import type { Element } from "@xmpp/client";
import type { RosterItem } from "../../../preload/contract";
import type { RosterChange } from "../session-api";
import type { Outbox } from "../outbox";
import { NS_ROSTER } from "../stanzas/namespaces";
import {
  buildRosterGet,
  buildRosterSet,
  parseRosterPush,
  parseRosterResult,
} from "../stanzas/roster";
import { buildSubscription, parsePresence, type SubscriptionType } from "../stanzas/presence";
import type { Feature, IqRoute, OnlineInfo } from "./feature";

export interface RosterDeps {
  /** Bare JID of the account. */
  account: string;
  outbox: () => Outbox;
  onChange: (change: RosterChange) => void;
  onRequest: (jid: string) => void;
  onRequestResolved: (jid: string) => void;
  /** Subscription requests kept at once; any stranger can send them, so the oldest go first. */
  maxRequests?: number;
  /** Contacts kept; the roster comes from our own server, but no remote amount is unbounded. */
  maxItems?: number;
}

export const DEFAULT_MAX_REQUESTS = 500;
export const DEFAULT_MAX_ITEMS = 50_000;

/**
 * The contact list (RFC 6121 §2) and incoming subscription requests (§3). Holds plain data; XML
 * only passes through the parsers and builders in stanzas/.
 */
export class Roster implements Feature {
  readonly name = "roster";
  readonly #items = new Map<string, RosterItem>();
  /** Incoming requests waiting for an answer, oldest first. */
  readonly #requests = new Set<string>();
  readonly #maxRequests: number;
  readonly #maxItems: number;
  /** Roster pushes; the core answers pushes from anyone but our account before they get here. */
  readonly iq: readonly IqRoute[] = [
    {
      type: "set",
      ns: NS_ROSTER,
      name: "query",
      handle: (stanza) => (this.handlePush(stanza) ? true : undefined),
    },
  ];

  constructor(private readonly deps: RosterDeps) {
    this.#maxRequests = deps.maxRequests ?? DEFAULT_MAX_REQUESTS;
    this.#maxItems = deps.maxItems ?? DEFAULT_MAX_ITEMS;
  }

  /** Subscription presences are the roster's; available/unavailable go on to presence. */
  presence(stanza: Element): boolean {
    const update = parsePresence(stanza);
    if (update?.kind !== "subscription") return false;
    this.handleSubscription(update.jid, update.type);
    return true;
  }

  /** A new session gets the roster afresh; a resumed one kept it, and the pushes it missed. */
  async online({ resumed }: OnlineInfo, outbox: Outbox): Promise<void> {
    if (resumed) return;
    this.clearRequests();
    await this.fetch(outbox);
  }

  has(jid: string): boolean {
    return this.#items.has(jid);
  }

  items(): RosterItem[] {
    return [...this.#items.values()];
  }

  item(jid: string): RosterItem | undefined {
    return this.#items.get(jid);
  }

  requests(): string[] {
    return [...this.#requests];
  }

  /** Forgets the pending requests (the server sends them again after the next initial presence). */
  clearRequests(): void {
    for (const jid of this.requests()) this.#resolve(jid);
  }

  /** Fetches the whole roster; call once after resource binding. */
  async fetch(outbox: Outbox = this.deps.outbox()): Promise<void> {
    const result = await outbox.request(buildRosterGet());
    const before = new Set(this.#items.keys());
    this.#items.clear();
    for (const item of parseRosterResult(result)) {
      if (this.#items.size >= this.#maxItems) break;
      this.#items.set(item.jid, item);
    }
    for (const jid of this.#items.keys()) before.delete(jid);
    this.deps.onChange({ upserted: this.items(), removed: [...before], reset: true });
  }

  /**
   * Applies a roster push. Returns false (and changes nothing) when the push did not come from our
   * own server; the caller answers it with an error.
   */
  handlePush(iq: Element): boolean {
    const item = parseRosterPush(iq, this.deps.account);
    if (!item) return false;
    if (item.subscription === "remove") {
      if (this.#items.delete(item.jid)) {
        this.deps.onChange({ upserted: [], removed: [item.jid], reset: false });
      }
      return true;
    }
    if (!this.#items.has(item.jid) && this.#items.size >= this.#maxItems) return true;
    this.#items.set(item.jid, item);
    this.deps.onChange({ upserted: [item], removed: [], reset: false });
    return true;
  }

  /** Subscription presences from others: requests to see our presence, and their withdrawal. */
  handleSubscription(jid: string, type: SubscriptionType): void {
    if (jid === this.deps.account) return;
    if (type === "subscribe") {
      if (this.#requests.has(jid)) return;
      if (this.#requests.size >= this.#maxRequests) {
        const oldest = this.#requests.values().next().value as string;
        this.#resolve(oldest);
      }
      this.#requests.add(jid);
      this.deps.onRequest(jid);
    } else if (type === "unsubscribe") {
      this.#resolve(jid);
    }
    // "subscribed"/"unsubscribed" answer our own requests; the server reflects them in a push.
  }

  /** Adds (or renames) a contact and asks to see their presence. */
  async add(jid: string, name?: string): Promise<void> {
    const outbox = this.deps.outbox();
    const existing = this.#items.get(jid);
    await outbox.request(buildRosterSet(jid, name, existing?.groups));
    if (!sees(existing)) await outbox.send(buildSubscription("subscribe", jid));
  }

  /** Lets `jid` see our presence and, like most clients, asks to see theirs if we don't yet. */
  async approve(jid: string): Promise<void> {
    const outbox = this.deps.outbox();
    await outbox.send(buildSubscription("subscribed", jid));
    const existing = this.#items.get(jid);
    if (!sees(existing) && !existing?.pendingOut) {
      await outbox.send(buildSubscription("subscribe", jid));
    }
    this.#resolve(jid);
  }

  async deny(jid: string): Promise<void> {
    await this.deps.outbox().send(buildSubscription("unsubscribed", jid));
    this.#resolve(jid);
  }

  #resolve(jid: string): void {
    if (this.#requests.delete(jid)) this.deps.onRequestResolved(jid);
  }
}

/** True when we already receive the contact's presence. */
function sees(item: RosterItem | undefined): boolean {
  return item?.subscription === "to" || item?.subscription === "both";
}
