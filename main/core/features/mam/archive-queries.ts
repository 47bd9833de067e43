import { randomUUID } from "node:crypto";
import type { Element } from "@xmpp/client";
import type { Logger } from "../../../shared/log";
import { bareOf, parseJid, toBareJid } from "../../jid";
import type { Outbox } from "../../outbox";
import {
  buildArchiveQuery,
  isArchiveResult,
  parseArchiveEnd,
  parseArchiveResult,
  type ArchiveQuery,
  type ArchiveResult,
} from "../../stanzas/mam";

export interface ArchivePage {
  /** Oldest first, as the archive sends them. */
  items: ArchiveResult[];
  complete: boolean;
  first: string | null;
  last: string | null;
}

interface OpenQuery {
  /** The archive asked: results from anyone else are not answers. */
  archive: string;
  items: ArchiveResult[];
  max: number;
}

/** The most results a page may ask for; a server sends fewer when it wants to. */
export const MAX_PAGE = 250;

/**
 * The archive queries Wren has open (XEP-0313). A result counts only when it names a query id
 * Wren issued and comes from the archive that query went to; a page holds no more results than
 * it asked for. Everything else that looks like a result is dropped, and said so in the log.
 */
export class ArchiveQueries {
  readonly #open = new Map<string, OpenQuery>();
  #warned = false;

  constructor(
    /** The account's bare JID: its own archive answers with this address, or none. */
    private readonly account: string,
    private readonly log: Logger,
  ) {}

  /** Takes every archive result the router hands over; keeps the ones that answer us. */
  take(stanza: Element): boolean {
    if (!isArchiveResult(stanza)) return false;
    const result = parseArchiveResult(stanza);
    const open = result ? this.#open.get(result.queryId) : undefined;
    // Without a from, it comes from our own account; a full JID is some client, not an archive.
    const from = stanza.attrs.from === undefined ? this.account : bareOnly(stanza.attrs.from);
    if (!result || !open || from !== open.archive || open.items.length >= open.max) {
      this.#warn(result ? (open ? "unasked-or-foreign" : "unknown-query") : "malformed");
      return true;
    }
    open.items.push(result);
    return true;
  }

  /**
   * Asks `archive` (the account's own unless given, a bare JID) for one page. Rejects with the
   * server's error (a StanzaError: item-not-found for a cursor it forgot) or a timeout.
   */
  async page(
    outbox: Outbox,
    query: Omit<ArchiveQuery, "queryId">,
    archive: string = this.account,
  ): Promise<ArchivePage> {
    const queryId = randomUUID();
    const max = Math.min(Math.max(1, query.max), MAX_PAGE);
    const open: OpenQuery = { archive: toBareJid(archive) ?? archive, items: [], max };
    this.#open.set(queryId, open);
    try {
      const iq = buildArchiveQuery({ ...query, max, queryId });
      if (archive !== this.account) iq.attrs.to = archive;
      const end = parseArchiveEnd(await outbox.request(iq));
      if (!end) throw new Error("The archive's answer has no <fin/>.");
      return { items: open.items, ...end };
    } finally {
      this.#open.delete(queryId);
    }
  }

  #warn(reason: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.log.warn("ignored an archive result that did not answer our query", { reason });
  }
}

function bareOnly(value: string): string | null {
  const parts = parseJid(value);
  return parts && !parts.resource ? bareOf(parts) : null;
}
