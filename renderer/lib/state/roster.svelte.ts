// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ContactPresence, RosterItem, Subscription } from "../../../preload/contract";
import { localPart } from "../jid";
import { presenceKind, presenceRank, type PresenceKind } from "../presence";

/** One roster entry joined with its presence. Immutable: every change makes a new object. */
export interface Contact {
  readonly jid: string;
  readonly name: string;
  /** The name to show: the roster name, else the JID's local part. */
  readonly displayName: string;
  readonly groups: readonly string[];
  readonly subscription: Subscription;
  readonly pendingOut: boolean;
  readonly presence: ContactPresence | null;
  readonly kind: PresenceKind;
  /** Lower-cased name and JID, matched against the filter. */
  readonly searchText: string;
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** Presence rank, then name, then JID: a total order, so binary search finds one exact contact. */
export function compareContacts(a: Contact, b: Contact): number {
  return (
    presenceRank(a.kind) - presenceRank(b.kind) ||
    collator.compare(a.displayName, b.displayName) ||
    (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0)
  );
}

// Past this many changed contacts in one batch, re-sorting everything beats moving each one.
const INCREMENTAL_LIMIT = 64;

/**
 * The roster, kept proportional to change: a Map indexes contacts by JID, and each batch of events
 * moves only the contacts it touched inside the sorted array, which is then replaced (never
 * deep-proxied) so Svelte sees one new value per batch.
 */
export class RosterState {
  #byJid = new Map<string, Contact>();
  #presence = new Map<string, ContactPresence>();
  /** Contacts touched since the last commit, with their state before the first touch. */
  #touched = new Map<string, Contact | undefined>();
  #needsFullSort = false;

  #sorted = $state.raw<readonly Contact[]>([]);
  #filter = $state("");
  #visible = $derived.by(() => {
    const query = this.#filter.trim().toLowerCase();
    if (query === "") return this.#sorted;
    return this.#sorted.filter((contact) => contact.searchText.includes(query));
  });

  /** Every contact, sorted. */
  get contacts(): readonly Contact[] {
    return this.#sorted;
  }

  /** The sorted contacts that match the filter. */
  get visible(): readonly Contact[] {
    return this.#visible;
  }

  get filter(): string {
    return this.#filter;
  }

  set filter(value: string) {
    this.#filter = value;
  }

  get size(): number {
    return this.#sorted.length;
  }

  /** Reactive lookup: re-runs its reader whenever a batch is committed. */
  contact(jid: string): Contact | undefined {
    void this.#sorted;
    return this.#byJid.get(jid);
  }

  applyRoster(upserted: readonly RosterItem[], removed: readonly string[], reset: boolean): void {
    if (reset) {
      this.#byJid.clear();
      this.#touched.clear();
      this.#needsFullSort = true;
    }
    for (const jid of removed) this.#put(jid, undefined);
    for (const item of upserted) {
      const contact =
        item.subscription === "remove"
          ? undefined
          : makeContact(item, this.#presence.get(item.jid) ?? null);
      this.#put(item.jid, contact);
    }
  }

  applyPresence(contacts: readonly ContactPresence[]): void {
    for (const presence of contacts) {
      this.#presence.set(presence.jid, presence);
      const current = this.#byJid.get(presence.jid);
      if (current) this.#put(presence.jid, withPresence(current, presence));
    }
  }

  /** Publishes everything applied since the last commit as one new sorted array. */
  commit(): void {
    if (!this.#needsFullSort && this.#touched.size === 0) return;
    if (this.#needsFullSort || this.#touched.size > INCREMENTAL_LIMIT) {
      this.#sorted = [...this.#byJid.values()].sort(compareContacts);
    } else {
      const next = this.#sorted.slice();
      for (const [jid, before] of this.#touched) {
        if (before) next.splice(lowerBound(next, before), 1);
        const after = this.#byJid.get(jid);
        if (after) next.splice(lowerBound(next, after), 0, after);
      }
      this.#sorted = next;
    }
    this.#touched.clear();
    this.#needsFullSort = false;
  }

  clear(): void {
    this.#byJid.clear();
    this.#presence.clear();
    this.#touched.clear();
    this.#needsFullSort = false;
    this.#sorted = [];
    this.#filter = "";
  }

  #put(jid: string, contact: Contact | undefined): void {
    if (!this.#needsFullSort && !this.#touched.has(jid)) {
      this.#touched.set(jid, this.#byJid.get(jid));
    }
    if (contact) this.#byJid.set(jid, contact);
    else this.#byJid.delete(jid);
  }
}

function makeContact(item: RosterItem, presence: ContactPresence | null): Contact {
  const name = item.name.trim();
  const displayName = name || localPart(item.jid);
  return {
    jid: item.jid,
    name,
    displayName,
    groups: item.groups,
    subscription: item.subscription,
    pendingOut: item.pendingOut,
    presence,
    kind: presenceKind(presence),
    searchText: `${name}\n${item.jid}`.toLowerCase(),
  };
}

function withPresence(contact: Contact, presence: ContactPresence): Contact {
  return { ...contact, presence, kind: presenceKind(presence) };
}

/** Index of the first element not less than `contact`. */
function lowerBound(list: readonly Contact[], contact: Contact): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareContacts(list[mid] as Contact, contact) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
