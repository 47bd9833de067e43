import type { TLSSocket } from "node:tls";
import { xml, type Client } from "@xmpp/client";
import SASLError from "@xmpp/sasl/lib/SASLError.js";
import type { SaslExchange } from "../sasl/mechanism";
import { decodeSaslData, encodeSaslData } from "./base64";
import { runExchangeLoop } from "./exchange-loop";

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
  return runExchangeLoop(entity, {
    ns: NS_SASL,
    name: "SASL",
    timeoutMs,
    open: () =>
      xml(
        "auth",
        { xmlns: NS_SASL, mechanism: exchange.name },
        encodeSaslData(exchange.initialResponse()),
      ),
    step: (element) => {
      if (element.name === "challenge") {
        const data = decodeSaslData(element.text()) ?? Buffer.alloc(0);
        return exchange
          .challenge(data)
          .then((answer) => xml("response", { xmlns: NS_SASL }, encodeSaslData(answer)));
      }
      if (element.name === "failure") throw SASLError.fromElement(element);
      if (element.name !== "success") return false;
      exchange.success(decodeSaslData(element.text()));
      return true;
    },
  });
}

/** The TLS socket under a Wren entity, or null while the stream is not encrypted. */
export function tlsSocketOf(entity: Client): TLSSocket | null {
  if (!entity.isSecure()) return null;
  const socket = (entity.socket as unknown as { socket?: TLSSocket | null } | null)?.socket;
  return socket ?? null;
}
