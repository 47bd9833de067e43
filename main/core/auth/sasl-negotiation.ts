import type { TLSSocket } from "node:tls";
import { xml, type Client, type Element } from "@xmpp/client";
import SASLError from "@xmpp/sasl/lib/SASLError.js";
import type { SaslExchange } from "../sasl/mechanism";
import { decodeSaslData, encodeSaslData } from "./base64";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

/**
 * Runs one RFC 6120 SASL exchange: <auth/>, any number of challenges, then <success/> or
 * <failure/>. The mechanism sees every server message, including the data of <success/>, so a
 * server that cannot prove itself (SCRAM's server signature) fails here, before the stream restarts
 * and long before anything else is sent.
 */
export function runSaslExchange(
  entity: Client,
  exchange: SaslExchange,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      entity.off("nonza", onNonza);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(Object.assign(new Error("SASL timed out"), { name: "TimeoutError" })),
      timeoutMs,
    );
    const send = (element: Element) => entity.send(element).catch(finish);

    function onNonza(element: Element) {
      if (element.getNS() !== NS_SASL || finished) return;
      try {
        if (element.name === "challenge") {
          const data = decodeSaslData(element.text()) ?? Buffer.alloc(0);
          void send(xml("response", { xmlns: NS_SASL }, encodeSaslData(exchange.challenge(data))));
        } else if (element.name === "success") {
          exchange.success(decodeSaslData(element.text()));
          finish();
        } else if (element.name === "failure") {
          finish(SASLError.fromElement(element));
        }
      } catch (error) {
        finish(error);
      }
    }

    entity.on("nonza", onNonza);
    try {
      const initial = exchange.initialResponse();
      void send(xml("auth", { xmlns: NS_SASL, mechanism: exchange.name }, encodeSaslData(initial)));
    } catch (error) {
      finish(error);
    }
  });
}

/** The TLS socket under a Wren entity, or null while the stream is not encrypted. */
export function tlsSocketOf(entity: Client): TLSSocket | null {
  if (!entity.isSecure()) return null;
  const socket = (entity.socket as unknown as { socket?: TLSSocket | null } | null)?.socket;
  return socket ?? null;
}
