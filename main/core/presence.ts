import type { ContactPresence, ResourcePresence, Show } from "../../preload/contract";
import type { PresenceUpdate } from "./stanzas/presence";

interface ResourceEntry extends ResourcePresence {
  /** Arrival order, for "most recent wins" among otherwise equal resources. */
  seq: number;
}

/** Higher is more available. */
const SHOW_RANK: Record<Show, number> = { chat: 5, online: 4, away: 3, xa: 2, dnd: 1 };

/**
 * The presence of every contact, per resource (RFC 6121 §4), and the derived best resource.
 * Presences from the account's own other resources are not contacts and are ignored.
 */
export class PresenceBook {
  readonly #contacts = new Map<string, Map<string, ResourceEntry>>();
  #seq = 0;

  constructor(private readonly account: string) {}

  /** Applies an available/unavailable presence; returns the contact when what we show changed. */
  apply(update: PresenceUpdate): ContactPresence | null {
    if (update.kind === "subscription" || update.jid === this.account) return null;
    const before = this.contact(update.jid);

    if (update.kind === "available") {
      let resources = this.#contacts.get(update.jid);
      if (!resources) this.#contacts.set(update.jid, (resources = new Map()));
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
      if (resources?.size === 0) this.#contacts.delete(update.jid);
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
