import { randomUUID } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { jid, xml, type Client, type Element, type StreamManagement } from "@xmpp/client";
import type { StreamFeatures } from "@xmpp/stream-features";
import { tlsRequiredError } from "../errors";
import { availableChannelBindings, channelBindingData } from "../sasl/channel-binding";
import { chooseMechanism, type MechanismChoice } from "../sasl/choose-mechanism";
import { createHashedToken, hashedTokenChannelBinding } from "../sasl/hashed-token";
import { SaslSecurityError, type SaslExchange } from "../sasl/mechanism";
import { bind2Request } from "./bind2-request";
import type { AuthOutcome, Credentials } from "./credentials";
import {
  fastElement,
  planFast,
  requestTokenElement,
  type FastOptions,
  type FastPlan,
} from "./fast-token";
import { createExchange } from "./sasl-feature";
import { tlsSocketOf } from "./sasl-negotiation";
import { runSasl2Exchange } from "./sasl2-exchange";
import { createInlineRegistry, type InlineFeatures, type InlineRegistry } from "./sasl2-inline";
import { NS_SASL2, readSasl2Offer, type Sasl2Offer } from "./sasl2-offer";
import { applySuccess } from "./sasl2-success";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_SM = "urn:xmpp:sm:3";

export interface Sasl2Credentials extends Credentials {
  /** XEP-0484 tokens, when the caller keeps them (in the credential store, like the password). */
  fast?: FastOptions;
  /** XEP-0388 <user-agent id/>: stable per account lets the server replace our old sessions. */
  userAgentId?: string;
}

export interface Sasl2Parts {
  entity: Client;
  /** Omit for a stream that never binds (account registration): then no Bind2 either. */
  resource?: string;
}

/** Inline features: `use` for SASL2's own (XEP-0198 resumption), `bind2.use` for Bind2's. */
export interface Sasl2Inline extends InlineFeatures {
  bind2: InlineFeatures;
}

/**
 * XEP-0388 SASL2 with XEP-0386 Bind2 and XEP-0484 FAST, under the rules of useSasl (TLS only,
 * Wren's mechanism policy and pin, a server that proves itself). Register it before useSasl: when
 * the server offers SASL2 this handles the features and RFC 6120 SASL never runs; otherwise it is
 * not called at all.
 */
export function useSasl2(
  streamFeatures: StreamFeatures,
  credentials: Sasl2Credentials,
  onAuthenticated: (outcome: AuthOutcome) => void,
  parts: Sasl2Parts,
): Sasl2Inline {
  const reportError = (error: unknown) => parts.entity.emit("error", error);
  const sasl2 = createInlineRegistry(reportError);
  const bind2 = createInlineRegistry(reportError);
  const userAgent = xml(
    "user-agent",
    { id: credentials.userAgentId ?? randomUUID() },
    xml("software", {}, "Wren"),
  );
  // XEP-0388 §2.1, XEP-0484 §4.1: the bare JID signing in goes in the encrypted stream's header.
  parts.entity.jid ??= jid(`${credentials.username}@${credentials.domain}`);

  streamFeatures.use("authentication", NS_SASL2, async ({ entity, stanza }, next, element) => {
    const socket = tlsSocketOf(entity);
    if (!socket) throw tlsRequiredError(credentials.domain);
    const offer = readSasl2Offer(stanza, element, socket.getProtocol() ?? "");
    const clientBindings = availableChannelBindings(socket);
    let choice: MechanismChoice;
    try {
      choice = chooseMechanism(offer.mechanisms, {
        credential: credentials.certificate ? "client-certificate" : "password",
        pin: credentials.pin,
        clientChannelBindings: clientBindings,
        domain: credentials.domain,
      });
    } catch (error) {
      // RFC 6120 SASL may list more; useSasl applies the same rules to that list.
      if (isNoMechanism(error) && stanza.getChild("mechanisms", NS_SASL)) return next();
      throw error;
    }

    const extensions = [userAgent, ...(await sasl2.requests(offer.inline))];
    if (offer.bind && parts.resource !== undefined && !resumesLater(entity, offer, sasl2)) {
      extensions.push(await bind2Request(offer.bind, bind2));
    }
    const fast = credentials.fast;
    const plan: FastPlan | null =
      fast && offer.fast
        ? planFast(fast.token, {
            offered: offer.fast,
            clientBindings,
            serverBindings: offer.mechanisms.channelBindings,
            now: new Date(),
          })
        : null;
    if (plan?.expired) fast?.onTokenInvalid();

    const attempt = (
      exchange: SaslExchange,
      extra: Element[],
      outcome: AuthOutcome,
      tokenMechanism: string | null,
    ) =>
      runSasl2Exchange(entity, {
        exchange,
        extensions: [...extensions, ...extra],
        timeoutMs: entity.timeout,
        domain: credentials.domain,
        onSuccess: (success) => {
          onAuthenticated(outcome);
          applySuccess(entity, success, {
            sasl2,
            bind2,
            tokenMechanism,
            onToken: (token) => fast?.onToken(token),
          });
        },
      });

    if (plan?.use) {
      const { mechanism } = plan.use;
      try {
        await attempt(
          tokenExchange(plan.use, credentials, socket),
          [fastElement()],
          {
            mechanism,
            channelBinding: hashedTokenChannelBinding(mechanism),
            plainWarning: false,
            // A token says nothing about the password mechanisms: the pin stays as it was.
            pin: credentials.pin ?? choice.pin,
          },
          mechanism,
        );
        return;
      } catch (error) {
        if (!isSaslFailure(error)) throw error;
        // XEP-0484 §4.1: discard a refused token and fall back. A SASL2 failure leaves the stream
        // as it was (XEP-0388 §2.6), so the password goes on this one.
        fast?.onTokenInvalid();
      }
    }

    await attempt(
      createExchange(choice, offer.mechanisms, credentials, socket),
      plan?.request ? [requestTokenElement(plan.request)] : [],
      {
        mechanism: choice.mechanism,
        channelBinding: choice.channelBinding,
        plainWarning: choice.plainWarning,
        pin: choice.pin,
      },
      plan?.request ?? null,
    );
  });

  // XEP-0386 lets a server go on offering RFC 6120 binding after Bind2 bound (or SASL2 resumed)
  // the stream; binding again would add a second resource. The other features still apply.
  streamFeatures.use("bind", NS_BIND, ({ entity, stanza }, next) => {
    if (entity.status === "online") stanza.remove("bind", NS_BIND);
    return next();
  });

  return { use: sasl2.use, bind2: { use: bind2.use } };
}

/**
 * A session restoreResumption() wants back, which SASL2 will not resume inline, is resumed with
 * XEP-0198 after authentication: binding first would start a new session in its place.
 */
function resumesLater(entity: Client, offer: Sasl2Offer, sasl2: InlineRegistry): boolean {
  const sm = entity.streamManagement as StreamManagement | undefined;
  if (!sm?.id) return false;
  return !(sasl2.has(NS_SM) && offer.inline.some(({ ns }) => ns === NS_SM));
}

function tokenExchange(
  token: NonNullable<FastPlan["use"]>,
  credentials: Credentials,
  socket: TLSSocket,
): SaslExchange {
  const type = hashedTokenChannelBinding(token.mechanism);
  return createHashedToken({
    mechanism: token.mechanism,
    username: credentials.username,
    token: token.token,
    channelBinding: type ? { type, data: channelBindingData(socket, type) } : null,
    domain: credentials.domain,
  });
}

function isNoMechanism(error: unknown): boolean {
  return error instanceof SaslSecurityError && error.code === "sasl-no-mechanism";
}

/** The server's <failure/>; not a server that failed to prove itself, nor a timeout. */
function isSaslFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "SASLError";
}
