import type { Client, Element } from "@xmpp/client";

export interface ExchangeSteps {
  /** The namespace of the exchange's elements (RFC 6120 SASL or XEP-0388 SASL2). */
  ns: string;
  /** Names the exchange in the timeout error. */
  name: string;
  timeoutMs: number;
  /** The element that starts the exchange; built here, so a mechanism error ends it cleanly. */
  open(): Element;
  /**
   * One server element of the namespace: answers it through `send` and returns false to go on,
   * returns true when the exchange succeeded, or throws to end it with that error.
   */
  step(element: Element, send: (element: Element) => void): boolean;
}

/**
 * The loop every SASL exchange shares: send the opening element, hand each server element of the
 * namespace to `step` until it finishes, fails or times out, and stop listening either way.
 */
export function runExchangeLoop(entity: Client, steps: ExchangeSteps): Promise<void> {
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
      () => finish(Object.assign(new Error(`${steps.name} timed out`), { name: "TimeoutError" })),
      steps.timeoutMs,
    );
    const send = (element: Element) => void entity.send(element).catch(finish);

    function onNonza(element: Element) {
      if (element.getNS() !== steps.ns || finished) return;
      try {
        if (steps.step(element, send)) finish();
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
