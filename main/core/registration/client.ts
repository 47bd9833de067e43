import type { Client, Element } from "@xmpp/client";
import { STEP_TIMEOUT_MS } from "../connection";
import { connectionLostError } from "../errors";
import type { TlsPolicy } from "../transport/certificate";
import { createEntity } from "../transport/create-entity";

/** How long the server may take to answer one registration request: the form, or the submission. */
export const REQUEST_TIMEOUT_MS = 15_000;

const NS_STREAM = "http://etherx.jabber.org/streams";

/**
 * A Wren entity that negotiates TLS like sign-in does (STARTTLS or direct TLS, the certificate
 * checked against the domain) and then stops: it has no SASL at all. `secured` resolves on the
 * first stream features of an encrypted stream; `onLost` hears every failure and the close.
 */
export function createRegistrationClient(
  service: string,
  policy: TlsPolicy,
  onLost: (error: unknown) => void,
): { entity: Client; secured: Promise<void> } {
  const { domain } = policy;
  const entity = createEntity({
    service,
    domain,
    policy,
    timeout: STEP_TIMEOUT_MS,
    onInsecure: onLost,
  });

  // Stream features on an encrypted stream: TLS is up (xmpp.js did STARTTLS first when needed).
  let isSecured = false;
  const secured = new Promise<void>((resolve) => {
    entity.on("element", (element: Element) => {
      if (!element.is("features", NS_STREAM) || !entity.isSecure()) return;
      isSecured = true;
      resolve();
    });
  });

  // Always listening: an 'error' event without a listener would crash the process.
  let lastError: unknown = null;
  entity.on("error", (error: unknown) => {
    const name = error instanceof Error ? error.name : "";
    // The stream restart after STARTTLS can miss a fast server's header the way open() can (see
    // fetchFrom) and time out later; once secure features arrived, that timeout means nothing.
    if (name === "TimeoutError" && isSecured) return;
    lastError = error;
    onLost(error);
  });
  const onClosed = () => setImmediate(() => onLost(lastError ?? connectionLostError()));
  entity.on("close", onClosed);
  entity.on("disconnect", onClosed);
  return { entity, secured };
}
