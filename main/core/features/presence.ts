import type { Element } from "@xmpp/client";
import type { ContactPresence, Show } from "../../../preload/contract";
import type { Outbox } from "../outbox";
import { buildPresence, parsePresence } from "../stanzas/presence";
import type { Feature, OnlineInfo } from "./feature";
import { PresenceBook, type PresenceLimits } from "./presence-book";

export interface OwnPresence {
  show: Show;
  status: string;
}

export interface PresenceDeps {
  /** Bare JID of the account. */
  account: string;
  /** The live connection's outbox, or null while there is none online. */
  outbox: () => Outbox | null;
  /** Whether a JID is in the roster: strangers' presence is kept within tighter bounds. */
  isContact: (jid: string) => boolean;
  /** Presence priority (RFC 6121, -128..127) sent with every presence. */
  priority?: () => number | undefined;
  /** Elements every presence of ours carries (XEP-0115 caps). */
  extensions?: () => Element[];
  onContacts: (contacts: ContactPresence[]) => void;
  onOwn: (own: OwnPresence) => void;
  limits?: Partial<PresenceLimits>;
}

const MAX_STATUS = 1024;

/** Contacts' availability (RFC 6121 §4) and our own presence, which outlives any one connection. */
export class Presence implements Feature {
  readonly name = "presence";
  readonly #book: PresenceBook;
  #own: OwnPresence = { show: "online", status: "" };
  /** Our presence changed while the connection was down: a resumed stream must hear it. */
  #unsent = false;

  constructor(private readonly deps: PresenceDeps) {
    this.#book = new PresenceBook(deps.account, deps.isContact, deps.limits);
  }

  presence(stanza: Element): boolean {
    const update = parsePresence(stanza);
    if (!update || update.kind === "subscription") return false;
    const changed = this.#book.applyAll(update);
    if (changed.length > 0) this.deps.onContacts(changed);
    return true;
  }

  /** A new session: what we knew is stale, and the server sends it all after our presence. */
  async online({ resumed }: OnlineInfo, outbox: Outbox): Promise<void> {
    if (!resumed) this.#forget();
    else if (!this.#unsent) return;
    this.#unsent = false;
    await outbox.send(this.#stanza());
  }

  offline(): void {
    this.#forget();
  }

  contacts(): ContactPresence[] {
    return this.#book.all();
  }

  own(): OwnPresence {
    return { ...this.#own };
  }

  /** Offline, it is remembered and becomes the initial presence of the next connection. */
  async setOwn(show: Show, status: string): Promise<void> {
    this.#own = { show, status: status.slice(0, MAX_STATUS) };
    this.deps.onOwn(this.own());
    const outbox = this.deps.outbox();
    if (outbox) await outbox.send(this.#stanza());
    else this.#unsent = true;
  }

  #stanza(): Element {
    const presence = buildPresence(this.#own.show, this.#own.status, this.deps.priority?.());
    for (const extension of this.deps.extensions?.() ?? []) presence.append(extension);
    return presence;
  }

  #forget(): void {
    const offline = this.#book.clear();
    if (offline.length > 0) this.deps.onContacts(offline);
  }
}
