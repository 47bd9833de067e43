// The @xmpp/client 0.14 building blocks Wren composes itself (see create-entity.ts). They ship no
// types; this declares only what Wren uses.
declare module "@xmpp/client-core" {
  import type { Client as ClientType } from "@xmpp/client";
  export const Client: new (options: Record<string, unknown>) => ClientType & {
    transports: unknown[];
  };
}

declare module "@xmpp/tcp/lib/Connection.js" {
  const ConnectionTCP: new (...args: unknown[]) => object;
  export default ConnectionTCP;
}

declare module "@xmpp/tls/lib/Connection.js" {
  const ConnectionTLS: new (...args: unknown[]) => object;
  export default ConnectionTLS;
}

declare module "@xmpp/middleware" {
  import type { Client, Element, Jid } from "@xmpp/client";
  export interface MiddlewareContext {
    stanza: Element;
    entity: Client;
    name: string;
    id: string;
    type: string;
    from: Jid | null;
    to: Jid | null;
  }
  export type Next = () => Promise<unknown>;
  export type MiddlewareFn = (ctx: MiddlewareContext, next: Next) => unknown;
  export interface Middleware {
    use(fn: MiddlewareFn): MiddlewareFn;
    filter(fn: MiddlewareFn): MiddlewareFn;
  }
  export default function middleware(deps: { entity: Client }): Middleware;
}

declare module "@xmpp/middleware/lib/StanzaError.js" {
  import type { Element } from "@xmpp/client";
  const StanzaError: { fromElement(element: Element | undefined): Error };
  export default StanzaError;
}

declare module "@xmpp/stream-features" {
  import type { Client, Element } from "@xmpp/client";
  import type { Middleware, MiddlewareContext, Next } from "@xmpp/middleware";
  export interface StreamFeatures {
    use(
      name: string,
      xmlns: string,
      handler: (
        ctx: MiddlewareContext & { entity: Client },
        next: Next,
        feature: Element,
      ) => unknown,
    ): void;
  }
  export default function streamFeatures(deps: { middleware: Middleware }): StreamFeatures;
}

declare module "@xmpp/resource-binding" {
  import type { IqCaller } from "@xmpp/client";
  import type { StreamFeatures } from "@xmpp/stream-features";
  export default function resourceBinding(
    deps: { streamFeatures: StreamFeatures; iqCaller: IqCaller },
    resource: string,
  ): void;
}

declare module "@xmpp/stream-management" {
  import type { Client, StreamManagement } from "@xmpp/client";
  import type { Middleware } from "@xmpp/middleware";
  import type { StreamFeatures } from "@xmpp/stream-features";
  export default function streamManagement(deps: {
    streamFeatures: StreamFeatures;
    entity: Client;
    middleware: Middleware;
    bind2?: unknown;
    sasl2?: unknown;
  }): StreamManagement;
}

declare module "@xmpp/events" {
  export function timeout<T>(promise: Promise<T>, ms: number): Promise<T>;
}

declare module "@xmpp/sasl/lib/SASLError.js" {
  import type { Element } from "@xmpp/client";
  const SASLError: { fromElement(element: Element): Error & { condition: string } };
  export default SASLError;
}
