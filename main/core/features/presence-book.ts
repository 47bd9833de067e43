import type { ContactPresence, ResourcePresence, Show } from "../../../preload/contract";
import type { PresenceUpdate } from "../stanzas/presence";

interface ResourceEntry extends ResourcePresence {
  /** Arrival order, for "most recent wins" among otherwise equal resources. */
  seq: number;
}

/** Higher is more available. */
const SHOW_RANK: Record<Show, number> = { chat: 5, online: 4, away: 3, xa: 2, dnd: 1 };

export interface PresenceLimits {
  /** Resources kept per JID; a sender can make up any number of them. */
  maxResources: number;
  /** JIDs outside the roster whose presence is kept (directed presence from strangers). */
  maxStrangers: number;
}

export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = { maxResources: 32, maxStrangers: 500 };

/**
 * The presence of every contact, per resource (RFC 6121 §4), and the derived best resource.
 * Presences from the account's own other resources are not contacts and are ignored. What anyone
 * outside the roster can add is bounded, the oldest going first.
 */
export class PresenceBook {
  readonly #contacts = new Map<string, Map<string, ResourceEntry>>();
  /** JIDs not in the roster that have presence here, oldest first. */
  readonly #strangers = new Set<string>();
  readonly #limits: PresenceLimits;
  #seq = 0;

  constructor(
    private readonly account: string,
    private readonly isContact: (jid: string) => boolean = () => true,
    limits: Partial<PresenceLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_PRESENCE_LIMITS, ...limits };
  }

  /**
   * Like apply(), also returning any stranger dropped to make room (now shown offline).
   */
  applyAll(update: PresenceUpdate): ContactPresence[] {
    const changed: ContactPresence[] = [];
    if (update.kind === "available" && !this.#contacts.has(update.jid)) {
      if (!this.isContact(update.jid)) {
        this.#strangers.delete(update.jid);
        this.#strangers.add(update.jid);
        while (this.#strangers.size > this.#limits.maxStrangers) {
          const oldest = this.#strangers.values().next().value as string;
          this.#strangers.delete(oldest);
          if (this.#contacts.delete(oldest))
            changed.push({ jid: oldest, best: null, resourceCount: 0 });
        }
      }
    }
    const own = this.apply(update);
    if (own) changed.push(own);
    return changed;
  }

  /** Applies an available/unavailable presence; returns the contact when what we show changed. */
  apply(update: PresenceUpdate): ContactPresence | null {
    if (update.kind === "subscription" || update.jid === this.account) return null;
    const before = this.contact(update.jid);

    if (update.kind === "available") {
      let resources = this.#contacts.get(update.jid);
      if (!resources) this.#contacts.set(update.jid, (resources = new Map()));
      resources.delete(update.resource);
      if (resources.size >= this.#limits.maxResources) {
        // Map order is insertion order: the resource that spoke least recently goes.
        resources.delete(resources.keys().next().value as string);
      }
      resources.set(update.resource, {
        resource: update.resource,
        show: update.show,
        status: update.status,
        priority: update.priority,
        seq: ++this.#seq,
      });
    } else {
      const resources = this.#contacts.get(update.jid);
      // An unavailable presence from the bare JID means every resource is gone.
      if (update.resource === "") resources?.clear();
      else resources?.delete(update.resource);
      if (resources?.size === 0) {
        this.#contacts.delete(update.jid);
        this.#strangers.delete(update.jid);
      }
    }

    const after = this.contact(update.jid);
    return samePresence(before, after) ? null : after;
  }

  contact(jid: string): ContactPresence {
    const resources = [...(this.#contacts.get(jid)?.values() ?? [])];
    return { jid, best: bestResource(resources), resourceCount: resources.length };
  }

  /** Every contact with at least one available resource. */
  all(): ContactPresence[] {
    return [...this.#contacts.keys()].map((jid) => this.contact(jid));
  }

  /** Forgets everything (we went offline); returns the contacts that are now shown offline. */
  clear(): ContactPresence[] {
    const jids = [...this.#contacts.keys()];
    this.#contacts.clear();
    this.#strangers.clear();
    return jids.map((jid) => ({ jid, best: null, resourceCount: 0 }));
  }
}

/** Highest priority, then the most available show, then the most recent presence. */
export function bestResource(
  resources: (ResourcePresence & { seq?: number })[],
): ResourcePresence | null {
  let best: (ResourcePresence & { seq?: number }) | null = null;
  for (const candidate of resources) {
    if (!best || compare(candidate, best) > 0) best = candidate;
  }
  if (!best) return null;
  const { resource, show, status, priority } = best;
  return { resource, show, status, priority };
}

function compare(a: ResourcePresence & { seq?: number }, b: ResourcePresence & { seq?: number }) {
  return (
    a.priority - b.priority || SHOW_RANK[a.show] - SHOW_RANK[b.show] || (a.seq ?? 0) - (b.seq ?? 0)
  );
}

function samePresence(a: ContactPresence, b: ContactPresence): boolean {
  if (a.resourceCount !== b.resourceCount) return false;
  if (a.best === null || b.best === null) return a.best === b.best;
  return (
    a.best.resource === b.best.resource &&
    a.best.show === b.best.show &&
    a.best.status === b.best.status &&
    a.best.priority === b.best.priority
  );
}
