import { xml, type Client, type Element } from "@xmpp/client";
import type { Middleware } from "@xmpp/middleware";
import type { Logger } from "../shared/log";
import { errorName } from "../shared/errors";
import type { Feature, IqRoute, OnlineInfo } from "./features/feature";
import type { Outbox } from "./outbox";
import { refuseForeignRequest } from "./transport/account-only";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** The parts of a connection the router plugs into (WrenEntity has them). */
export interface RoutedEntity {
  middleware: Middleware;
  send(stanza: Element): Promise<void>;
  jid: Client["jid"];
}

/**
 * Stanzas held between authentication and the connection's last checks (a resumed stream's
 * server sends what we had not acknowledged); beyond this many they are dropped.
 */
const MAX_HELD = 5_000;

/**
 * Whether a connection's stanzas may reach the features. Closed until the server proved itself
 * over TLS (anything before that is dropped: it may come from anyone on the path); then holding,
 * in order, until the stream is bound and verified as the account's own; then open. A connection
 * that never gets there is dropped with what it held.
 */
export class StanzaGate {
  #state: "closed" | "holding" | "open" = "closed";
  #held: Element[] = [];
  #deliver: ((stanza: Element) => void) | null = null;

  get state(): "closed" | "holding" | "open" {
    return this.#state;
  }

  /** The server authenticated over TLS: keep what it sends until open(). */
  hold(): void {
    if (this.#state === "closed") this.#state = "holding";
  }

  /** Bound and verified: deliver what was held, in order, and everything after it. */
  open(): void {
    if (this.#state === "open") return;
    this.#state = "open";
    const held = this.#held;
    this.#held = [];
    for (const stanza of held) this.#deliver?.(stanza);
  }

  /** Returns false when the stanza must be dropped. */
  accept(stanza: Element, deliver: (stanza: Element) => void): boolean {
    this.#deliver = deliver;
    if (this.#state === "open") {
      deliver(stanza);
      return true;
    }
    if (this.#state === "closed" || this.#held.length >= MAX_HELD) return false;
    this.#held.push(stanza);
    return true;
  }
}

/**
 * Incoming stanzas to the features, in the order the features were added (order is priority).
 * Nothing reaches a feature until the connection opened the gate, which it does only once the
 * stream is TLS-secured, authenticated, bound to the account's own JID and verified; a feature
 * that throws is logged and never takes the connection down.
 */
export class StanzaRouter {
  readonly #features: Feature[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add<F extends Feature>(feature: F): F {
    this.#features.push(feature);
    return feature;
  }

  get features(): readonly Feature[] {
    return this.#features;
  }

  /** Every XEP-0030 feature the added features implement. */
  discoFeatures(): string[] {
    return [...new Set(this.#features.flatMap((feature) => feature.discoFeatures ?? []))];
  }

  /**
   * Plugs into one connection's middleware, after the IQ caller (which takes the answers to our own
   * requests). Stanzas pass `gate` first, then the core's rule on account-only requests, then go to
   * the features; IQ answers go back through the entity. Connections without a router (account
   * registration) answer no requests at all.
   */
  attach(entity: RoutedEntity, gate: StanzaGate): void {
    const deliver = (stanza: Element) => {
      const kind = stanzaKind(stanza);
      if (kind === "iq") {
        // Requests only our own account may make (roster pushes) from anyone else end here.
        const answer = refuseForeignRequest(entity, stanza) ?? this.#routeIq(stanza);
        entity
          .send(answer)
          .catch((error: unknown) =>
            this.#log.warn("could not answer an IQ", { error: errorName(error) }),
          );
      } else if (kind) {
        this.#routeStanza(kind, stanza);
      }
    };
    // Whoever sends before TLS can send a flood: the first drop of a connection is logged, once.
    let dropped = false;
    entity.middleware.use((ctx, next) => {
      const stanza = ctx.stanza as Element;
      const kind = stanzaKind(stanza);
      if (!kind) return next();
      if (!gate.accept(stanza, deliver) && !dropped) {
        dropped = true;
        this.#log.warn("dropped stanzas that came before the connection was secure and bound", {
          kind,
          gate: gate.state,
        });
      }
      return undefined;
    });
  }

  /** Tells every feature, in order, that the connection is online. */
  async online(info: OnlineInfo, outbox: Outbox): Promise<void> {
    for (const feature of this.#features) await feature.online?.(info, outbox);
  }

  /** The server acknowledged one of our stanzas (XEP-0198): every feature may want to know. */
  acknowledged(stanza: Element): void {
    for (const feature of this.#features) {
      try {
        feature.acknowledged?.(stanza);
      } catch (error) {
        this.#log.error("a feature failed to take an acknowledgement", {
          feature: feature.name,
          error: errorName(error),
        });
      }
    }
  }

  offline(): void {
    for (const feature of this.#features) {
      try {
        feature.offline?.();
      } catch (error) {
        this.#log.error("a feature failed to go offline", {
          feature: feature.name,
          error: errorName(error),
        });
      }
    }
  }

  #routeStanza(kind: "message" | "presence", stanza: Element): void {
    for (const feature of this.#features) {
      const handle = feature[kind];
      if (!handle) continue;
      try {
        if (handle.call(feature, stanza) === true) return;
      } catch (error) {
        this.#log.error(
          `a ${kind} handler failed`,
          {
            feature: feature.name,
            error: errorName(error),
          },
          error,
        );
      }
    }
  }

  #routeIq(stanza: Element): Element {
    const type = stanza.attrs.type as "get" | "set";
    const payloads = stanza.getChildElements();
    const payload = payloads[0];
    if (payloads.length !== 1 || !payload) return iqError(stanza, "modify", "bad-request");
    const found = this.#findRoute(type, payload);
    if (!found) return iqError(stanza, "cancel", "service-unavailable", payload);
    let answer: Element | true | undefined;
    try {
      answer = found.route.handle(stanza, payload);
    } catch (error) {
      this.#log.error(
        "an IQ handler failed",
        {
          feature: found.feature.name,
          error: errorName(error),
        },
        error,
      );
      return iqError(stanza, "cancel", "internal-server-error", payload);
    }
    if (answer === undefined) return iqError(stanza, "cancel", "service-unavailable", payload);
    if (answer !== true && answer.is("error")) return reply(stanza, "error", payload, answer);
    return reply(stanza, "result", answer === true ? undefined : answer);
  }

  #findRoute(type: "get" | "set", payload: Element): { feature: Feature; route: IqRoute } | null {
    for (const feature of this.#features) {
      for (const route of feature.iq ?? []) {
        if (route.type === type && payload.is(route.name, route.ns)) return { feature, route };
      }
    }
    return null;
  }
}

function stanzaKind(stanza: Element): "message" | "presence" | "iq" | null {
  if (stanza.name === "message" || stanza.name === "presence") return stanza.name;
  if (stanza.name !== "iq") return null;
  const type = stanza.attrs.type;
  return type === "get" || type === "set" ? "iq" : null;
}

function reply(stanza: Element, type: "result" | "error", ...children: (Element | undefined)[]) {
  return xml(
    "iq",
    { type, id: stanza.attrs.id, ...(stanza.attrs.from && { to: stanza.attrs.from }) },
    ...children.filter((child): child is Element => child !== undefined),
  );
}

function iqError(stanza: Element, type: string, condition: string, payload?: Element): Element {
  return reply(
    stanza,
    "error",
    payload,
    xml("error", { type }, xml(condition, { xmlns: NS_STANZAS })),
  );
}
