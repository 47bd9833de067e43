import type { Client, Element } from "@xmpp/client";
import { errorName } from "../../shared/errors";
import { createLogger } from "../../shared/log";

const log = createLogger("core/sasl");

export interface ExchangeSteps {
  /** The namespace of the exchange's elements (RFC 6120 SASL or XEP-0388 SASL2). */
  ns: string;
  /** Names the exchange in the timeout error. */
  name: string;
  timeoutMs: number;
  /** The element that starts the exchange; built here, so a mechanism error ends it cleanly. */
  open(): Element;
  /**
   * One server element of the namespace, handed over as it arrives: returns true when the exchange
   * succeeded, false to go on, or the answer to send (a promise: computing it can take a while);
   * throws to end the exchange with that error. Success is handled here, before the server's
   * next element is read; an element that comes while an answer is computed is still handed
   * over, for the mechanism to refuse.
   */
  step(element: Element): boolean | Promise<Element>;
}

/**
 * The loop every SASL exchange shares: send the opening element, hand each server element of the
 * namespace to `step` until it finishes, fails or times out, and stop listening either way.
 */
export function runExchangeLoop(entity: Client, steps: ExchangeSteps): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) {
        // A late failure (an answer computed, or sent, after a timeout) changes no outcome.
        if (error) {
          log.debug("a SASL step failed after the exchange ended", { error: errorName(error) });
        }
        return;
      }
      finished = true;
      clearTimeout(timer);
      entity.off("nonza", onNonza);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(Object.assign(new Error(`${steps.name} timed out`), { name: "TimeoutError" })),
      steps.timeoutMs,
    );
    const send = (element: Element) => {
      // An answer that was ready only after the exchange had ended is not sent.
      if (!finished) entity.send(element).catch(finish);
    };

    function onNonza(element: Element) {
      if (element.getNS() !== steps.ns || finished) return;
      try {
        const outcome = steps.step(element);
        if (outcome === true) finish();
        else if (outcome !== false) outcome.then(send, finish);
      } catch (error) {
        finish(error);
      }
    }

    entity.on("nonza", onNonza);
    try {
      send(steps.open());
    } catch (error) {
      finish(error);
    }
  });
}
