import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { isIP } from "node:net";
import { client, type Client, type Element, type OnAuthenticate } from "@xmpp/client";
import { tlsRequiredError } from "./errors";

export interface ConnectionParams {
  /** Local part and domain of the account's bare JID. */
  local: string;
  domain: string;
  password: string;
  resource: string;
  /** One of the URIs from resolveEndpoints(). */
  service: string;
  /** Called when the server would make us continue without TLS. The connection must be dropped. */
  onInsecure: (error: Error) => void;
}

/** How long xmpp.js waits for one step (stream open, a reply). SCRAM alone costs about a second. */
export const STEP_TIMEOUT_MS = 10_000;

const NS_STREAM = "http://etherx.jabber.org/streams";
const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";

/** SASL mechanisms Wren uses, best first. Never ANONYMOUS: that would sign in as nobody. */
const MECHANISMS = ["SCRAM-SHA-1", "PLAIN"];

/**
 * An @xmpp/client entity set up the way Wren needs it:
 * - TLS is mandatory. A stream that is not encrypted when the server lists its features must offer
 *   STARTTLS; SASL only ever runs on an encrypted socket (checked right before the first <auth>).
 * - The certificate is checked against the account's domain, whatever host we dialled: xmpp.js
 *   upgrades STARTTLS with `host: options.domain`, and for direct TLS we set SNI, the identity check
 *   and ALPN `xmpp-client` (XEP-0368) ourselves.
 * - No automatic reconnect: a failed start stays failed until the person asks again.
 */
export function createClient(params: ConnectionParams): Client {
  const { local, domain, password, resource, service, onInsecure } = params;

  const onAuthenticate: OnAuthenticate = async (authenticate, offered, _fast, entity) => {
    if (!entity.isSecure()) throw tlsRequiredError(domain);
    const mechanism = MECHANISMS.find((name) => offered.includes(name));
    if (!mechanism) {
      const error = new Error("SASL: No compatible mechanism available.");
      error.name = "SASLError";
      throw error;
    }
    await authenticate({ username: local, password }, mechanism);
  };

  const entity = client({
    service,
    domain,
    resource,
    credentials: onAuthenticate,
    timeout: STEP_TIMEOUT_MS,
  });
  entity.reconnect.stop();
  requireTls(entity, domain, onInsecure);
  entity.on("online", () => {
    if (!entity.isSecure()) onInsecure(tlsRequiredError(domain));
  });

  return entity;
}

/**
 * The TLS guarantees of any Wren entity, for sign-in and account registration alike: direct TLS
 * gets SNI, ALPN and the identity check against `domain`; a stream that is still unencrypted when
 * the server lists its features must offer STARTTLS, or `onInsecure` is called.
 */
export function requireTls(
  entity: Client,
  domain: string,
  onInsecure: (error: Error) => void,
): void {
  const transportParameters = entity.socketParameters.bind(entity);
  entity.socketParameters = (uri: string) => {
    const parameters = transportParameters(uri);
    if (!parameters || !uri.startsWith("xmpps:")) return parameters;
    return { ...parameters, ...directTlsOptions(domain) };
  };

  // Runs before xmpp.js's own stream-feature handlers see the element.
  entity.prependListener("element", (element: Element) => {
    if (!element.is("features", NS_STREAM) || entity.isSecure()) return;
    if (!element.getChild("starttls", NS_TLS)) onInsecure(tlsRequiredError(domain));
  });
}

/** TLS options for XEP-0368 direct TLS. Verification stays on (Node's default); never turn it off. */
export function directTlsOptions(domain: string) {
  return {
    servername: isIP(domain) ? undefined : domain,
    ALPNProtocols: ["xmpp-client"],
    minVersion: "TLSv1.2" as const,
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      checkServerIdentity(domain, cert),
  };
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
