// Maps and Sets here are deliberately plain: indexes and bookkeeping that no template reads, or
// values published by replacing a $state.raw field once per batch. Reactive collections would
// track every entry of a 5,000-contact roster.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { ContactPresence, RosterItem, Subscription } from "../../../preload/contract";
import { localPart } from "../jid";
import { presenceKind, presenceRank, type PresenceKind } from "../presence";

/** One roster entry of one account, joined with its presence. Immutable: every change makes a new object. */
export interface Contact {
  /** `contactKey(accountId, jid)`: a contact on two accounts is two entries. */
  readonly key: string;
  readonly accountId: string;
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

/** A row of the roster list: a contact (with every account it is on), or an account's header. */
export type RosterRow =
  | { kind: "contact"; key: string; contact: Contact; accountIds: readonly string[] }
  | { kind: "header"; key: string; accountId: string; count: number };

/** Joins account and JID; NUL appears in neither. */
export function contactKey(accountId: string, jid: string): string {
  return `${accountId}\u0000${jid}`;
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** Presence rank, then name, then JID, then account: a total order for binary search. */
export function compareContacts(a: Contact, b: Contact): number {
  return (
    presenceRank(a.kind) - presenceRank(b.kind) ||
    collator.compare(a.displayName, b.displayName) ||
    (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0) ||
    (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0)
  );
}

// Past this many changed contacts in one batch, re-sorting everything beats moving each one.
const INCREMENTAL_LIMIT = 64;

/**
 * Every account's roster in one sorted array, kept proportional to change: a Map indexes contacts
 * by (account, JID), and each batch moves only the contacts it touched inside the sorted array,
 * which is then replaced (never deep-proxied) so Svelte sees one new value per batch.
 */
export class RosterState {
  #byKey = new Map<string, Contact>();
  #presence = new Map<string, ContactPresence>();
  /** JID → accounts whose roster holds it, for the account chooser. */
  #accountsOf = new Map<string, Set<string>>();
  /** Contacts touched since the last commit, with their state before the first touch. */
  #touched = new Map<string, Contact | undefined>();
  #needsFullSort = false;

  #sorted = $state.raw<readonly Contact[]>([]);
  #filter = $state("");
  #groupByAccount = $state(false);
  /** Account order for grouping (the accounts strip's order); set by the app. */
  #accountOrder = $state.raw<readonly string[]>([]);

  #visible = $derived.by(() => {
    const query = this.#filter.trim().toLowerCase();
    if (query === "") return this.#sorted;
    return this.#sorted.filter((contact) => contact.searchText.includes(query));
  });

  #rows = $derived.by((): readonly RosterRow[] => {
    const visible = this.#visible;
    if (this.#groupByAccount) return groupedRows(visible, this.#accountOrder);
    return mergedRows(visible);
  });

  /** Every contact of every account, sorted. */
  get contacts(): readonly Contact[] {
    return this.#sorted;
  }

  /** The sorted contacts that match the filter. */
  get visible(): readonly Contact[] {
    return this.#visible;
  }

  /**
   * What the list shows: matching contacts, one row per JID with all its accounts; or, grouped,
   * a header per account followed by that account's contacts.
   */
  get rows(): readonly RosterRow[] {
    return this.#rows;
  }

  get filter(): string {
    return this.#filter;
  }

  set filter(value: string) {
    this.#filter = value;
  }

  get groupByAccount(): boolean {
    return this.#groupByAccount;
  }

  set groupByAccount(value: boolean) {
    this.#groupByAccount = value;
  }

  setAccountOrder(ids: readonly string[]): void {
    this.#accountOrder = ids;
  }

  get size(): number {
    return this.#sorted.length;
  }

  /** Reactive lookup: re-runs its reader whenever a batch is committed. */
  contact(accountId: string, jid: string): Contact | undefined {
    void this.#sorted;
    return this.#byKey.get(contactKey(accountId, jid));
  }

  /** The accounts whose roster holds `jid` (reactive like `contact`). */
  accountsOf(jid: string): readonly string[] {
    void this.#sorted;
    return [...(this.#accountsOf.get(jid) ?? [])];
  }

  applyRoster(
    accountId: string,
    upserted: readonly RosterItem[],
    removed: readonly string[],
    reset: boolean,
  ): void {
    if (reset) this.#dropAccountContacts(accountId);
    for (const jid of removed) this.#put(contactKey(accountId, jid), undefined);
    for (const item of upserted) {
      const key = contactKey(accountId, item.jid);
      const contact =
        item.subscription === "remove"
          ? undefined
          : makeContact(accountId, item, this.#presence.get(key) ?? null);
      this.#put(key, contact);
    }
  }

  applyPresence(accountId: string, contacts: readonly ContactPresence[]): void {
    for (const presence of contacts) {
      const key = contactKey(accountId, presence.jid);
      this.#presence.set(key, presence);
      const current = this.#byKey.get(key);
      if (current) this.#put(key, withPresence(current, presence));
    }
  }

  /** Forgets an account's contacts and presence (account removed). */
  removeAccount(accountId: string): void {
    this.#dropAccountContacts(accountId);
    for (const key of this.#presence.keys()) {
      if (key.startsWith(`${accountId}\u0000`)) this.#presence.delete(key);
    }
  }

  /** Publishes everything applied since the last commit as one new sorted array. */
  commit(): void {
    if (!this.#needsFullSort && this.#touched.size === 0) return;
    if (this.#needsFullSort || this.#touched.size > INCREMENTAL_LIMIT) {
      this.#sorted = [...this.#byKey.values()].sort(compareContacts);
    } else {
      const next = this.#sorted.slice();
      for (const [key, before] of this.#touched) {
        if (before) next.splice(lowerBound(next, before), 1);
        const after = this.#byKey.get(key);
        if (after) next.splice(lowerBound(next, after), 0, after);
      }
      this.#sorted = next;
    }
    this.#touched.clear();
    this.#needsFullSort = false;
  }

  clear(): void {
    this.#byKey.clear();
    this.#presence.clear();
    this.#accountsOf.clear();
    this.#touched.clear();
    this.#needsFullSort = false;
    this.#sorted = [];
    this.#filter = "";
  }

  #dropAccountContacts(accountId: string): void {
    const prefix = `${accountId}\u0000`;
    let dropped = false;
    for (const [key, contact] of this.#byKey) {
      if (!key.startsWith(prefix)) continue;
      this.#byKey.delete(key);
      this.#unindex(contact);
      dropped = true;
    }
    // Dropping a whole account is rare (reset, removal): re-sort rather than track each contact.
    if (dropped) this.#needsFullSort = true;
  }

  #put(key: string, contact: Contact | undefined): void {
    const before = this.#byKey.get(key);
    if (!this.#needsFullSort && !this.#touched.has(key)) this.#touched.set(key, before);
    if (before) this.#unindex(before);
    if (contact) {
      this.#byKey.set(key, contact);
      let accounts = this.#accountsOf.get(contact.jid);
      if (!accounts) this.#accountsOf.set(contact.jid, (accounts = new Set()));
      accounts.add(contact.accountId);
    } else {
      this.#byKey.delete(key);
    }
  }

  #unindex(contact: Contact): void {
    const accounts = this.#accountsOf.get(contact.jid);
    accounts?.delete(contact.accountId);
    if (accounts?.size === 0) this.#accountsOf.delete(contact.jid);
  }
}

/** One row per JID: the best-ranked entry (they are sorted) stands for its other accounts. */
function mergedRows(contacts: readonly Contact[]): RosterRow[] {
  const rows: RosterRow[] = [];
  const rowOf = new Map<string, number>();
  for (const contact of contacts) {
    const index = rowOf.get(contact.jid);
    if (index === undefined) {
      rowOf.set(contact.jid, rows.length);
      rows.push({ kind: "contact", key: contact.key, contact, accountIds: [contact.accountId] });
    } else {
      const row = rows[index] as Extract<RosterRow, { kind: "contact" }>;
      rows[index] = { ...row, accountIds: [...row.accountIds, contact.accountId] };
    }
  }
  return rows;
}

function groupedRows(contacts: readonly Contact[], order: readonly string[]): RosterRow[] {
  const byAccount = new Map<string, Contact[]>(order.map((id) => [id, []]));
  for (const contact of contacts) {
    const list = byAccount.get(contact.accountId);
    if (list) list.push(contact);
    else byAccount.set(contact.accountId, [contact]);
  }
  const rows: RosterRow[] = [];
  for (const [accountId, list] of byAccount) {
    rows.push({ kind: "header", key: `header:${accountId}`, accountId, count: list.length });
    for (const contact of list) {
      rows.push({ kind: "contact", key: contact.key, contact, accountIds: [accountId] });
    }
  }
  return rows;
}

function makeContact(
  accountId: string,
  item: RosterItem,
  presence: ContactPresence | null,
): Contact {
  const name = item.name.trim();
  const displayName = name || localPart(item.jid);
  return {
    key: contactKey(accountId, item.jid),
    accountId,
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
