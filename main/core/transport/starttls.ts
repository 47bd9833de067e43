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
export function useStartTls(
  streamFeatures: StreamFeatures,
  policy: TlsPolicy,
  onInsecure: (error: Error) => void,
): void {
  streamFeatures.use("starttls", NS_TLS, async ({ entity }, next) => {
    if (entity.isSecure()) return next();
    const stopGuard = refuseAnythingAfterProceed(entity, policy.domain, onInsecure);
    let answer: Element;
    try {
      answer = await sendReceive(entity, xml("starttls", { xmlns: NS_TLS }));
    } catch (error) {
      stopGuard();
      throw error;
    }
    if (!answer.is("proceed", NS_TLS)) {
      stopGuard();
      throw new Error("STARTTLS_FAILURE");
    }
    stopGuard();
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

/**
 * After <proceed/>, the next bytes must be the TLS handshake. Anything the server (or someone on the
 * path) sent in clear text after it, in the same read or a later one before the handshake began,
 * would otherwise be parsed as if it were part of the stream: the connection is dropped instead.
 * Returns the guard's remover; call it before the handshake starts.
 */
function refuseAnythingAfterProceed(
  entity: Client,
  domain: string,
  onInsecure: (error: Error) => void,
): () => void {
  const plain = entity.socket as unknown as Socket;
  let reads = 0;
  let proceededIn = -1;
  let refused = false;
  const refuse = () => {
    if (refused) return;
    refused = true;
    onInsecure(tlsRequiredError(domain));
  };
  const countRead = () => {
    reads += 1;
  };
  const onElement = (element: Element) => {
    if (proceededIn >= 0) refuse();
    else if (element.is("proceed", NS_TLS)) proceededIn = reads;
  };
  // Runs after the connection parsed the read (listeners run in the order they were added).
  const afterRead = (data: Buffer) => {
    if (proceededIn < 0) return;
    if (proceededIn < reads || textAfterProceed(data.toString("utf8")).trim() !== "") refuse();
  };
  plain.prependListener("data", countRead);
  plain.on("data", afterRead);
  entity.prependListener("element", onElement);
  return () => {
    plain.removeListener("data", countRead);
    plain.removeListener("data", afterRead);
    entity.removeListener("element", onElement);
  };
}

/** What follows the end of the <proceed/> element in the read that completed it. */
function textAfterProceed(chunk: string): string {
  const end = /<proceed\b[^>]*\/>|<\/proceed\s*>/.exec(chunk);
  if (end) return chunk.slice(end.index + end[0].length);
  // The element began in an earlier read: this one completes it at its first '>'.
  return chunk.slice(chunk.indexOf(">") + 1);
}

function sendReceive(entity: Client, element: Element): Promise<Element> {
  return (entity as unknown as { sendReceive(element: Element): Promise<Element> }).sendReceive(
    element,
  );
}
