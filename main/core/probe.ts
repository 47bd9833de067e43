import { xml, type Client, type Element } from "@xmpp/client";

const NS_PING = "urn:xmpp:ping";
const NS_SM = "urn:xmpp:sm:3";
/** The liveness check keeps its own, shorter deadline; this only bounds xmpp.js's bookkeeping. */
const PING_TIMEOUT_MS = 30_000;

/**
 * Asks the server for an answer: a XEP-0198 <r/> when stream management is on (the <a/> costs
 * less than an IQ and is counted anyway), a XEP-0199 ping otherwise. Resolves on the answer; an
 * error reply is an answer too.
 */
export function probeServer(entity: Client, domain: string, signal: AbortSignal): Promise<void> {
  return entity.streamManagement.enabled ? requestAck(entity, signal) : ping(entity, domain);
}

function requestAck(entity: Client, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onNonza = (element: Element) => {
      if (!element.is("a", NS_SM)) return;
      done();
      resolve();
    };
    const done = () => {
      entity.off("nonza", onNonza);
      signal.removeEventListener("abort", done);
    };
    entity.on("nonza", onNonza);
    signal.addEventListener("abort", done, { once: true });
    entity.send(xml("r", { xmlns: NS_SM })).catch((error: unknown) => {
      done();
      reject(error);
    });
  });
}

async function ping(entity: Client, domain: string): Promise<void> {
  const iq = xml("iq", { type: "get", to: domain }, xml("ping", { xmlns: NS_PING }));
  try {
    await entity.iqCaller.request(iq, PING_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof Error && error.name === "StanzaError") return;
    throw error;
  }
}
