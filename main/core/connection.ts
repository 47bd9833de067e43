import type { Client } from "@xmpp/client";
import type { ClientCertificate } from "./auth/client-certificate";
import type { AuthOutcome } from "./auth/credentials";
import type { FastOptions } from "./auth/fast-token";
import { useSasl } from "./auth/sasl-feature";
import { useSasl2 } from "./auth/sasl2-feature";
import type { MechanismPin } from "./sasl/choose-mechanism";
import { createEntity } from "./transport/create-entity";

export interface ConnectionParams {
  /** Local part and domain of the account's bare JID. */
  local: string;
  domain: string;
  /** Empty when signing in with `clientCertificate`. */
  password: string;
  /** Sign in with this TLS client certificate and SASL EXTERNAL (XEP-0178). */
  clientCertificate: ClientCertificate | null;
  resource: string;
  /** One of the URIs from resolveEndpoints(). */
  service: string;
  /** SHA-256 fingerprint of a server certificate the person chose to trust, if any. */
  trustedCertificate: string | null;
  /** The strongest SASL mechanism this account's server offered before; weaker is refused. */
  mechanismPin: MechanismPin | null;
  /** Called when the server would make us continue without TLS. The connection must be dropped. */
  onInsecure: (error: Error) => void;
  /** Called once SASL succeeded and the server proved itself. */
  onAuthenticated: (outcome: AuthOutcome) => void;
  /** XEP-0484 FAST: the token to try first, and where new or dead tokens are reported. */
  fast?: FastOptions;
  /** XEP-0388 user agent id: stable per account on this device. */
  userAgentId?: string;
}

export type CreateClient = (params: ConnectionParams) => Client;

/** How long xmpp.js waits for one step (stream open, a reply). */
export const STEP_TIMEOUT_MS = 10_000;

/**
 * A Wren entity for signing in: TLS is mandatory and verified against the account's domain (see
 * transport/), SASL is Wren's own (see auth/), and nothing reconnects by itself.
 */
export function createClient(params: ConnectionParams): Client {
  const { local, domain, password, onAuthenticated } = params;
  const entity = createEntity({
    service: params.service,
    domain,
    resource: params.resource,
    policy: {
      domain,
      pinnedFingerprint: params.trustedCertificate,
      clientCertificate: params.clientCertificate,
    },
    timeout: STEP_TIMEOUT_MS,
    onInsecure: params.onInsecure,
    // SASL2 (with Bind2 and FAST) first; RFC 6120 SASL only runs where SASL2 is not offered.
    authenticate: ({ streamFeatures, entity }) => {
      const credentials = {
        username: local,
        password,
        certificate: params.clientCertificate !== null,
        domain,
        pin: params.mechanismPin,
        fast: params.fast,
        userAgentId: params.userAgentId,
      };
      const inline = useSasl2(streamFeatures, credentials, onAuthenticated, {
        entity,
        resource: params.resource,
      });
      useSasl(streamFeatures, credentials, onAuthenticated);
      return inline;
    },
  });
  entity.on("online", () => {
    if (!entity.isSecure()) params.onInsecure(new Error("online without TLS"));
  });
  return entity;
}

/** Drops the socket at once, without the closing handshake. */
export function destroySocket(entity: Client): void {
  const socket = entity.socket as unknown as {
    destroy?: () => void;
    socket?: { destroy(): void } | null;
  } | null;
  if (!socket) return;
  if (socket.socket) socket.socket.destroy();
  else socket.destroy?.();
}
