import type { Element } from "@xmpp/client";

/** Builds the request for one offered inline feature; nothing when it has none to make. */
export type InlineRequest = (
  offered: Element,
) => Element | null | undefined | void | Promise<Element | null | undefined | void>;

/** Handles the server's answer to it (in <success/> or <bound/>). */
export type InlineResult = (answer: Element) => unknown;

/**
 * Inline features by namespace, with the shape @xmpp/stream-management's setupSasl2 and
 * setupBind2 register on: `use(ns, request, result)`.
 */
export interface InlineFeatures {
  use(ns: string, request: InlineRequest, result: InlineResult): void;
}

export interface InlineRegistry extends InlineFeatures {
  has(ns: string): boolean;
  /** The requests for what the server offered, each keyed by the namespace it is registered as. */
  requests(offered: { ns: string; element: Element }[]): Promise<Element[]>;
  /** Hands an answer to the feature registered for `ns`; nothing happens for the others. */
  deliver(ns: string, answer: Element): void;
}

/** `onError` gets what an asynchronous result handler rejects with. */
export function createInlineRegistry(onError: (error: unknown) => void): InlineRegistry {
  const features = new Map<string, { request: InlineRequest; result: InlineResult }>();
  return {
    use(ns, request, result) {
      features.set(ns, { request, result });
    },
    has: (ns) => features.has(ns),
    async requests(offered) {
      const requests = await Promise.all(
        offered.map(({ ns, element }) => features.get(ns)?.request(element)),
      );
      return requests.filter((request): request is Element => Boolean(request));
    },
    deliver(ns, answer) {
      const outcome = features.get(ns)?.result(answer);
      if (outcome instanceof Promise) outcome.catch(onError);
    },
  };
}
