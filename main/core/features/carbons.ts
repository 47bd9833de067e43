import type { Element } from "@xmpp/client";
import { errorName } from "../../shared/errors";
import type { Logger } from "../../shared/log";
import { toBareJid } from "../jid";
import type { Outbox } from "../outbox";
import { buildEnableCarbons, NS_CARBONS, parseCarbon } from "../stanzas/carbons";
import type { Disco } from "./disco";
import type { Feature, OnlineInfo } from "./feature";

export interface CarbonsDeps {
  /** The account's bare JID: the only sender of carbon copies we accept. */
  account: string;
  /** Asked on every new session, after disco learned what the server offers. */
  disco: Pick<Disco, "serverSupports">;
  /** Hands on a copy's message: received by ("in") or sent from ("out") another device of ours. */
  deliver: (message: Element, direction: "in" | "out") => void;
  log: Logger;
}

/**
 * Message Carbons (XEP-0280): the messages the person's other devices receive and send show here
 * too. Enabled on every new session before initial presence goes out, so nothing sent to us in
 * between is missed; a resumed stream kept it. No disco feature: carbons are between a client and
 * its own server, which is the one that advertises them; contacts have nothing to ask. Messages
 * marked <private/> or <no-copy/> are the server's to leave uncopied: they need nothing from us.
 */
export class Carbons implements Feature {
  readonly name = "carbons";
  #enabled = false;

  constructor(private readonly deps: CarbonsDeps) {}

  /** Whether the server turned carbons on for the current session. */
  get enabled(): boolean {
    return this.#enabled;
  }

  async online(info: OnlineInfo, outbox: Outbox): Promise<void> {
    if (info.resumed) return;
    this.#enabled = false;
    if (!this.deps.disco.serverSupports(NS_CARBONS)) return;
    try {
      await outbox.request(buildEnableCarbons());
      this.#enabled = true;
    } catch (error) {
      // Signing in goes on without them: only other devices' messages are missed.
      this.deps.log.warn("could not enable message carbons", { error: errorName(error) });
    }
  }

  offline(): void {
    this.#enabled = false;
  }

  /** Takes every message carrying a carbon copy: ours are handed on, the rest dropped. */
  message(stanza: Element): boolean {
    const carbon = parseCarbon(stanza, this.deps.account);
    if (!carbon) return false;
    switch (carbon.kind) {
      case "copy":
        this.deps.deliver(carbon.message, carbon.direction);
        break;
      case "forged":
        this.deps.log.warn("ignored a carbon copy that did not come from our own account", {
          from: toBareJid(carbon.from) ?? "none",
        });
        break;
      case "malformed":
        this.deps.log.warn("ignored a malformed carbon copy");
        break;
    }
    return true;
  }
}
