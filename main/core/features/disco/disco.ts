import { xml, type Element } from "@xmpp/client";
import { errorName } from "../../../shared/errors";
import { createLogger, type Logger } from "../../../shared/log";
import { parseJid } from "../../jid";
import type { Outbox } from "../../outbox";
import { NS_STANZAS } from "../../stanzas/namespaces";
import type { Feature, IqRoute, OnlineInfo } from "../feature";
import { CapsCache } from "./bounded-map";
import { buildCaps, buildInfoQuery, ownInfo, WREN_CAPS_NODE, type OwnInfo } from "./own-info";
import {
  NS_CAPS,
  NS_DISCO_INFO,
  parseDiscoInfo,
  type Caps,
  type DiscoInfo,
  type DiscoItem,
} from "./parse";
import { buildInfoRequest, jidKey, RemoteDisco } from "./remote";

export interface DiscoDeps {
  /** The account's bare JID; its domain is the server asked on every new session. */
  account: string;
  /** The XEP-0030 features Wren's features implement: `() => router.discoFeatures()`. */
  features: () => readonly string[];
  /** Verified caps answers; give every account the same one to share what they learn. */
  cache?: CapsCache;
  log?: Logger;
  /**
   * The live connection's outbox, null while it is down (also while a lost stream waits to be
   * resumed). Without it, the outbox of the last online() is used until offline().
   */
  outbox?: () => Outbox | null;
}

/** Service discovery (XEP-0030) and entity capabilities (XEP-0115): one place to ask "can it…?". */
export interface Disco extends Feature {
  /** Our <c/>, for every presence we send. Computed from what we answer about ourselves. */
  capsElement(): Element;
  /** The server's disco#info, from the last new session; null until it answered once. */
  serverInfo(): DiscoInfo | null;
  /** The server's features; empty until known. */
  serverFeatures(): ReadonlySet<string>;
  serverSupports(ns: string): boolean;
  /**
   * Whether the account's own bare JID advertises `ns` (its archive, XEP-0313, and the stanza-ids
   * it stamps, XEP-0359, are announced there); false until known.
   */
  accountSupports(ns: string): boolean;
  /** What `jid` (usually a full JID) says it can do; null when that cannot be known now. */
  infoOf(jid: string): Promise<DiscoInfo | null>;
  /** Whether `jid` advertises feature `ns`; false when unknown. */
  supports(jid: string, ns: string): Promise<boolean>;
  /** The disco#items of `jid` (at `node`), e.g. the server's services; null when unknown. */
  itemsOf(jid: string, node?: string): Promise<DiscoItem[] | null>;
  /** The caps `jid` last advertised in its presence, if any. */
  capsOf(jid: string): Caps | undefined;
}

export function createDisco(deps: DiscoDeps): Disco {
  return new DiscoFeature(deps);
}

const NO_FEATURES: ReadonlySet<string> = new Set();

class DiscoFeature implements Disco {
  readonly name = "disco";
  readonly discoFeatures = [NS_DISCO_INFO, NS_CAPS];
  readonly iq: readonly IqRoute[] = [
    {
      type: "get",
      ns: NS_DISCO_INFO,
      name: "query",
      handle: (_stanza, payload) => this.#answer(payload),
    },
  ];

  readonly #features: () => readonly string[];
  readonly #domain: string;
  readonly #log: Logger;
  readonly #cache: CapsCache;
  readonly #remote: RemoteDisco;
  #own: { key: string; own: OwnInfo } | null = null;
  #server: { info: DiscoInfo; features: ReadonlySet<string> } | null = null;
  #accountFeatures: ReadonlySet<string> = NO_FEATURES;
  readonly #account: string;
  #lastOutbox: Outbox | null = null;
  /** Counts new sessions, so a late answer from an old one cannot overwrite a newer one. */
  #session = 0;

  constructor(deps: DiscoDeps) {
    const domain = parseJid(deps.account)?.domain;
    if (!domain) throw new Error("disco needs the account's JID");
    this.#domain = domain;
    this.#account = deps.account;
    this.#features = deps.features;
    this.#log = deps.log ?? createLogger("core/disco");
    this.#cache = deps.cache ?? new CapsCache();
    this.#remote = new RemoteDisco(this.#cache, this.#log, deps.outbox ?? (() => this.#lastOutbox));
  }

  presence(stanza: Element): boolean {
    this.#remote.learn(stanza);
    return false;
  }

  async online(info: OnlineInfo, outbox: Outbox): Promise<void> {
    this.#lastOutbox = outbox;
    if (info.resumed) return;
    this.#remote.forgetPresences();
    const session = ++this.#session;
    const [server, account] = await Promise.all([
      this.#ask(outbox, this.#domain, "the server"),
      this.#ask(outbox, this.#account, "the account"),
    ]);
    if (session !== this.#session) return;
    if (server) this.#server = { info: server, features: new Set(server.features) };
    if (account) this.#accountFeatures = new Set(account.features);
  }

  offline(): void {
    this.#lastOutbox = null;
    this.#remote.forgetPresences();
  }

  capsElement(): Element {
    return buildCaps(this.#ownInfo().ver);
  }

  serverInfo(): DiscoInfo | null {
    return this.#server?.info ?? null;
  }

  serverFeatures(): ReadonlySet<string> {
    return this.#server?.features ?? NO_FEATURES;
  }

  serverSupports(ns: string): boolean {
    return this.serverFeatures().has(ns);
  }

  accountSupports(ns: string): boolean {
    return this.#accountFeatures.has(ns);
  }

  async infoOf(jid: string): Promise<DiscoInfo | null> {
    this.#ownInfo(); // puts our own ver in the cache, should a contact run the same Wren
    if (this.#server && jidKey(jid) === this.#domain) return this.#server.info;
    return this.#remote.infoOf(jid);
  }

  async supports(jid: string, ns: string): Promise<boolean> {
    return (await this.infoOf(jid))?.features.includes(ns) ?? false;
  }

  itemsOf(jid: string, node?: string): Promise<DiscoItem[] | null> {
    return this.#remote.itemsOf(jid, node);
  }

  capsOf(jid: string): Caps | undefined {
    return this.#remote.capsOf(jid);
  }

  /** Answers a disco#info query about us: plain, or at our caps node for the current 'ver'. */
  #answer(query: Element): Element {
    const own = this.#ownInfo();
    const node = query.attrs.node;
    if (node && node !== `${WREN_CAPS_NODE}#${own.ver}`) {
      return xml("error", { type: "cancel" }, xml("item-not-found", { xmlns: NS_STANZAS }));
    }
    return buildInfoQuery(own.info, node);
  }

  #ownInfo(): OwnInfo {
    const features = this.#features();
    const key = features.join("\n");
    if (this.#own?.key !== key) {
      this.#own = { key, own: ownInfo(features) };
      // A contact running a Wren with the same features needs no query: our answer is theirs.
      this.#cache.set("sha-1", this.#own.own.ver, this.#own.own.info);
    }
    return this.#own.own;
  }

  /** The disco#info of `jid`, or null (and what we knew is kept) when it did not answer. */
  async #ask(outbox: Outbox, jid: string, who: string): Promise<DiscoInfo | null> {
    try {
      const result = await outbox.request(buildInfoRequest(jid));
      const query = result.getChild("query", NS_DISCO_INFO);
      if (query) return parseDiscoInfo(query).info;
      this.#log.warn(`${who}'s disco#info result had no query`);
    } catch (error) {
      this.#log.warn(`could not learn what ${who} supports`, { error: errorName(error) });
    }
    return null;
  }
}
