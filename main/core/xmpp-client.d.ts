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

  export interface Client extends EventEmitter {
    status: string;
    jid: Jid | null;
    timeout: number;
    socket: Socket | null;
    options: ClientOptions;
    reconnect: { stop(): void };
    iqCaller: IqCaller;
    iqCallee: IqCallee;
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
