// @xmpp/client 0.14 ships no types. This declares only the part Wren uses; widen it when needed.
declare module "@xmpp/client" {
  import type { EventEmitter } from "node:events";

  export type Node = Element | string;

  export class Element {
    constructor(name: string, attrs?: Record<string, string>);
    name: string;
    attrs: Record<string, string | undefined>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    append(...nodes: Node[]): void;
    remove(name: string, xmlns?: string): Element;
    toString(): string;
  }

  type Child = Node | null | undefined | false | Child[];

  export interface XmlFunction {
    (
      name: string,
      attrs?: Record<string, string | number | undefined> | null,
      ...children: Child[]
    ): Element;
    Element: typeof Element;
  }

  export const xml: XmlFunction;

  export interface Jid {
    local: string;
    domain: string;
    resource: string;
    bare(): Jid;
    toString(): string;
  }

  export function jid(address: string): Jid;

  export interface IqCaller {
    request(stanza: Element, timeout?: number): Promise<Element>;
  }

  export interface IqContext {
    stanza: Element;
    element: Element;
    from: Jid | null;
  }

  export interface IqCallee {
    get(ns: string, name: string, handler: (ctx: IqContext) => unknown): void;
    set(ns: string, name: string, handler: (ctx: IqContext) => unknown): void;
  }

  export interface Socket extends EventEmitter {
    secure?: boolean;
    socket?: { destroy(): void } | null;
  }

  export type Authenticate = (
    credentials: { username: string; password: string },
    mechanism: string,
  ) => Promise<void>;

  export type OnAuthenticate = (
    authenticate: Authenticate,
    mechanisms: string[],
    fast: unknown,
    entity: Client,
  ) => Promise<void>;

  export interface ClientOptions {
    service?: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    credentials?: OnAuthenticate;
    timeout?: number;
  }

  /** XEP-0198 state of @xmpp/stream-management. Only what Wren reads and carries over. */
  export interface StreamManagement extends EventEmitter {
    enabled: boolean;
    /** The resumption id the server gave; empty when the stream cannot be resumed. */
    id: string;
    /** Stanzas handled from the server (our 'h'). */
    inbound: number;
    /** Our stanzas the server acknowledged. */
    outbound: number;
    /** Our stanzas sent since then, not acknowledged yet, oldest first. */
    outbound_q: { stanza: Element; stamp: string }[];
    /** ms without an answer to <r/> before xmpp.js drops the link; 0 turns that off. */
    timeout: number;
    /** ms between xmpp.js's own idle <r/>; 0 turns them off. */
    requestAckInterval: number;
  }

  export interface Client extends EventEmitter {
    status: string;
    jid: Jid | null;
    timeout: number;
    socket: Socket | null;
    options: ClientOptions;
    reconnect: { stop(): void };
    iqCaller: IqCaller;
    streamManagement: StreamManagement;
    isSecure(): boolean;
    socketParameters(service: string): Record<string, unknown> | undefined;
    start(): Promise<unknown>;
    connect(service: string): Promise<unknown>;
    open(options: { domain: string; lang?: string }): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
  }

  export function client(options: ClientOptions): Client;
}
