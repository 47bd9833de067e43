import type { TLSSocket } from "node:tls";
import type { Client, Element } from "@xmpp/client";
import type { StreamFeatures } from "@xmpp/stream-features";
import { tlsRequiredError } from "../errors";
import {
  chooseMechanism,
  type MechanismChoice,
  type MechanismOffer,
} from "../sasl/choose-mechanism";
import { availableChannelBindings, channelBindingData } from "../sasl/channel-binding";
import type { SaslExchange } from "../sasl/mechanism";
import { createExternal } from "../sasl/external";
import { createPlain } from "../sasl/plain";
import { createScram } from "../sasl/scram";
import type { AuthOutcome, Credentials } from "./credentials";
import { advertisedChannelBindings, mechanismNames } from "./offer";
import { runSaslExchange, tlsSocketOf } from "./sasl-negotiation";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

/**
 * RFC 6120 SASL, in place of @xmpp/sasl: only on an encrypted stream, with the mechanism chosen
 * by Wren's policy (strongest first, PLAIN only as a last resort, never weaker than the account's
 * pin) and a mechanism implementation that verifies the server.
 */
export function useSasl(
  streamFeatures: StreamFeatures,
  credentials: Credentials,
  onAuthenticated: (outcome: AuthOutcome) => void,
): void {
  streamFeatures.use("mechanisms", NS_SASL, async ({ entity, stanza }, _next, element) => {
    const socket = tlsSocketOf(entity);
    if (!socket) throw tlsRequiredError(credentials.domain);
    const offer = readOffer(stanza, element, socket.getProtocol() ?? "");
    const choice = chooseMechanism(offer, {
      credential: credentials.certificate ? "client-certificate" : "password",
      pin: credentials.pin,
      clientChannelBindings: availableChannelBindings(socket),
      domain: credentials.domain,
    });
    const exchange = createExchange(choice, offer, credentials, socket);
    await runSaslExchange(entity, exchange, entity.timeout);
    onAuthenticated({
      mechanism: choice.mechanism,
      channelBinding: choice.channelBinding,
      plainWarning: choice.plainWarning,
      pin: choice.pin,
    });
    await (entity as Client & { restart(): Promise<unknown> }).restart();
  });
}

/** What the server offered: its mechanisms and, per XEP-0440, its channel-binding types. */
export function readOffer(
  features: Element,
  mechanisms: Element,
  tlsVersion: string,
): MechanismOffer {
  return {
    mechanisms: mechanismNames(mechanisms, NS_SASL),
    channelBindings: advertisedChannelBindings(features),
    tlsVersion,
  };
}

export function createExchange(
  choice: MechanismChoice,
  offer: MechanismOffer,
  credentials: Credentials,
  socket: TLSSocket,
): SaslExchange {
  if (choice.mechanism === "EXTERNAL") return createExternal();
  if (choice.mechanism === "PLAIN") {
    return createPlain(credentials.username, credentials.password);
  }
  const hash = choice.mechanism.startsWith("SCRAM-SHA-256") ? "sha256" : "sha1";
  return createScram({
    hash,
    username: credentials.username,
    password: credentials.password,
    channelBinding: choice.channelBinding
      ? { type: choice.channelBinding, data: channelBindingData(socket, choice.channelBinding) }
      : null,
    clientSupportsCbButServerDidNotOffer: choice.gs2Y,
    downgradeProtection: {
      mechanisms: offer.mechanisms,
      channelBindings: offer.channelBindings ?? [],
    },
  });
}
