import type { Client } from "@xmpp/client";
import { Client as CoreClient } from "@xmpp/client-core";
import createMiddleware, { type Middleware } from "@xmpp/middleware";
import createStreamFeatures, { type StreamFeatures } from "@xmpp/stream-features";
import resourceBinding from "@xmpp/resource-binding";
import streamManagement from "@xmpp/stream-management";
import type { Sasl2Inline } from "../auth/sasl2-feature";
import { installStreamParser } from "../xml/install";
import type { TlsPolicy } from "./certificate";
import { createIqCaller } from "./iq-caller";
import { guardSeeOtherHost } from "./see-other-host";
import { refuseUnencryptedFeatures, useStartTls } from "./starttls";
import { DirectTlsTransport, StartTlsTransport } from "./transports";

export interface EntityOptions {
  service: string;
  domain: string;
  /** Resource to bind; omit for a stream that never binds (account registration). */
  resource?: string;
  policy: TlsPolicy;
  /** How long xmpp.js waits for one step (stream open, a reply). */
  timeout: number;
  /** A stanza larger than this closes the stream with policy-violation (default 10 MiB). */
  maxStanzaBytes?: number;
  /** Elements nested deeper than this close the stream with policy-violation (default 64). */
  maxDepth?: number;
  /** An element with more attributes than this closes the stream likewise (default 64). */
  maxAttributes?: number;
  /** Called when the server would make us continue without TLS. The connection must be dropped. */
  onInsecure: (error: Error) => void;
  /**
   * Registers the authentication stream features (SASL), between STARTTLS and resource binding.
   * May return SASL2's inline-feature registries, so stream management can ride along (XEP-0198
   * resume inside SASL2, enable inside Bind2).
   */
  authenticate?: (parts: { streamFeatures: StreamFeatures; entity: Client }) => Sasl2Inline | void;
}

export interface WrenEntity extends Client {
  middleware: Middleware;
  streamFeatures: StreamFeatures;
}

/**
 * Wren's own composition of the xmpp.js building blocks, in place of @xmpp/client's `client()`.
 * Everything that decides security is Wren's: the verifying TLS socket and STARTTLS, the stream
 * parser (restricted XML, byte-correct UTF-8, a stanza size limit), SASL (passed in), the IQ
 * caller, see-other-host, and the account-only namespaces. No WebSocket, no ANONYMOUS,
 * no automatic reconnect (the session owns reconnecting).
 *
 * Order is priority: incoming stanzas pass the middleware in the order registered here, and stream
 * features are tried in that order too (STARTTLS, then SASL, then resumption, then binding).
 */
export function createEntity(options: EntityOptions): WrenEntity {
  const { domain, policy } = options;
  const entity = new CoreClient({
    service: options.service,
    domain,
    resource: options.resource,
    timeout: options.timeout,
  });
  entity.transports.push(DirectTlsTransport, StartTlsTransport);
  installStreamParser(entity, {
    maxStanzaBytes: options.maxStanzaBytes,
    maxDepth: options.maxDepth,
    maxAttributes: options.maxAttributes,
  });
  withTlsPolicy(entity, policy);

  const middleware = createMiddleware({ entity });
  const iqCaller = createIqCaller(entity, middleware);
  const streamFeatures = createStreamFeatures({ middleware });

  refuseUnencryptedFeatures(entity, domain, options.onInsecure);
  guardSeeOtherHost(entity, domain);
  useStartTls(streamFeatures, policy, options.onInsecure);
  const inline = options.authenticate?.({ streamFeatures, entity }) ?? undefined;
  const sm =
    options.resource === undefined
      ? null
      : streamManagement({
          streamFeatures,
          entity,
          middleware,
          ...(inline && { sasl2: inline, bind2: inline.bind2 }),
        });
  if (options.resource !== undefined) {
    resourceBinding({ streamFeatures, iqCaller }, options.resource);
  }

  return Object.assign(
    entity,
    { middleware, streamFeatures, iqCaller },
    sm ? { streamManagement: sm } : {},
  );
}

/** Direct TLS dials through VerifiedTlsSocket; it needs the policy and ALPN with the address. */
function withTlsPolicy(entity: Client, policy: TlsPolicy): void {
  const parameters = entity.socketParameters.bind(entity);
  entity.socketParameters = (service: string) => {
    const found = parameters(service);
    if (!found || !service.startsWith("xmpps:")) return found;
    return { ...found, alpn: true, policy };
  };
}
