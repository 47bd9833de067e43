import type { Element } from "@xmpp/client";
import type { Outbox } from "../outbox";

/**
 * Handles one incoming message or presence. Returns true when it consumed the stanza, so the
 * features after it in the router's order do not see it.
 */
export type StanzaHandler = (stanza: Element) => boolean | void;

/**
 * Answers one IQ get or set. Returns the payload of the result (an Element), true for an empty
 * result, an <error/> element for an error, or undefined for service-unavailable.
 */
export type IqHandler = (stanza: Element, payload: Element) => Element | true | undefined;

export interface IqRoute {
  type: "get" | "set";
  ns: string;
  name: string;
  handle: IqHandler;
}

/** What a connection tells the features when it comes online. */
export interface OnlineInfo {
  /**
   * True when XEP-0198 resumed the previous stream: the server kept the session, nothing was
   * missed. False for a new session (first sign-in, or a reconnect whose resumption failed):
   * features fetch what they need again (roster now, the archive later).
   */
  resumed: boolean;
}

/**
 * One feature of the core (roster, presence, chat, disco, …): plain state plus the handlers the
 * router calls. A feature lives as long as its account, across connections.
 */
export interface Feature {
  readonly name: string;
  message?: StanzaHandler;
  presence?: StanzaHandler;
  iq?: readonly IqRoute[];
  /** XEP-0030 features this one adds to what Wren says about itself. */
  discoFeatures?: readonly string[];
  /**
   * The connection is online and verified. Awaited in the router's order before the account is
   * shown online, so the roster is there before initial presence goes out.
   */
  online?(info: OnlineInfo, outbox: Outbox): Promise<void>;
  /** The connection is gone and will not be resumed: forget what only held while online. */
  offline?(): void;
  /** The server acknowledged one of our stanzas (XEP-0198): it has it, whatever happens next. */
  acknowledged?(stanza: Element): void;
}
