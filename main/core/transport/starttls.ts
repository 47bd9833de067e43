import { xml, type Client, type Element } from "@xmpp/client";
import type { Socket } from "node:net";
import type { StreamFeatures } from "@xmpp/stream-features";
import { tlsRequiredError } from "../errors";
import type { TlsPolicy } from "./certificate";
import { upgradeToTls } from "./verified-tls-socket";

const NS_STREAM = "http://etherx.jabber.org/streams";
const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";

/**
 * STARTTLS (RFC 6120 §5), in place of @xmpp/starttls: the upgrade sends SNI for the account's
 * domain and runs on the same verifying socket as direct TLS, so certificate trust and pinning
 * are one code path.
 */
export function useStartTls(streamFeatures: StreamFeatures, policy: TlsPolicy): void {
  streamFeatures.use("starttls", NS_TLS, async ({ entity }, next) => {
    if (entity.isSecure()) return next();
    const answer = await sendReceive(entity, xml("starttls", { xmlns: NS_TLS }));
    if (!answer.is("proceed", NS_TLS)) throw new Error("STARTTLS_FAILURE");
    const plain = entity.socket as unknown as Socket;
    const secured = await upgradeToTls(plain, policy);
    (entity as unknown as { _attachSocket(socket: unknown): void })._attachSocket(secured);
    await (entity as unknown as { restart(): Promise<unknown> }).restart();
  });
}

/**
 * Runs before any stream-feature handler: a stream that is still unencrypted when the server lists
 * its features must offer STARTTLS, or the connection is dropped before anything else is said.
 */
export function refuseUnencryptedFeatures(
  entity: Client,
  domain: string,
  onInsecure: (error: Error) => void,
): void {
  entity.prependListener("element", (element: Element) => {
    if (!element.is("features", NS_STREAM) || entity.isSecure()) return;
    if (!element.getChild("starttls", NS_TLS)) onInsecure(tlsRequiredError(domain));
  });
}

function sendReceive(entity: Client, element: Element): Promise<Element> {
  return (entity as unknown as { sendReceive(element: Element): Promise<Element> }).sendReceive(
    element,
  );
}
