// @xmpp/stream-management's SASL2 and Bind2 hooks ship no types; only what sasl2-inline.test.ts
// calls them with.
declare module "@xmpp/stream-management/sasl2.js" {
  import type { Element } from "@xmpp/client";
  export function setupSasl2(deps: {
    sasl2: unknown;
    sm: { id: string; inbound: number };
    failed: () => void;
    resumed: (element: Element) => void;
  }): void;
}

declare module "@xmpp/stream-management/bind2.js" {
  export function setupBind2(deps: {
    bind2: unknown;
    sm: { preferredMaximum: number | null };
    failed: () => void;
    enabled: (attrs: Record<string, string | undefined>) => void;
  }): void;
}
