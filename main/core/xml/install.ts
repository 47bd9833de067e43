import type { Buffer } from "node:buffer";
import { xml, type Client, type Element } from "@xmpp/client";
import { StreamParser, type StreamLimits } from "./stream-parser";
import type { StreamParseError } from "./stream-parse-error";

export type InstallOptions = StreamLimits;

/** The non-public parts of an @xmpp/connection 0.14 entity this module replaces or calls. */
interface Connection {
  Parser: unknown;
  parser: { write(chunk: Buffer | string): void } | null;
  socket: unknown;
  root: Element | null;
  timeout: number;
  _onData(data: Buffer | string): void;
  _streamError(condition: string): Promise<unknown>;
  _attachParser(parser: unknown): void;
  _detachParser(): void;
  _status(status: string, ...args: unknown[]): void;
  headerElement(): Element;
  header(element: Element): string;
  write(data: string): Promise<void>;
  open(options: { domain: string; lang?: string }): Promise<unknown>;
  emit(event: string, ...args: unknown[]): boolean;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

const StockParser = (xml as unknown as { Parser: unknown }).Parser;

/**
 * Gives `entity` Wren's StreamParser for TCP and TLS streams (WebSocket keeps its own framed
 * parser): bytes reach the parser undecoded, a violation closes the stream with its RFC 6120
 * condition and is emitted as "error" (a StreamParseError), and open() can no longer miss a fast
 * server's stream header. Call it before the entity first connects: @xmpp/connection binds
 * `_onData` when it attaches its first socket.
 */
export function installStreamParser(entity: Client, options: InstallOptions = {}): void {
  const connection = entity as unknown as Connection;
  if (connection.socket) throw new Error("installStreamParser: the entity is already connected");

  class EntityStreamParser extends StreamParser {
    constructor() {
      super({
        maxStanzaBytes: options.maxStanzaBytes,
        maxDepth: options.maxDepth,
        maxAttributes: options.maxAttributes,
        maxElements: options.maxElements,
        onViolation: (error) => onViolation(connection, this, error),
      });
    }
  }

  // xmpp.js sets `Parser` from the transport on every connect(); the accessor keeps ours in place
  // of the stock one while letting other parsers through.
  let transportParser = connection.Parser;
  Object.defineProperty(connection, "Parser", {
    configurable: true,
    enumerable: true,
    get: () =>
      transportParser == null || transportParser === StockParser
        ? EntityStreamParser
        : transportParser,
    set: (parser: unknown) => {
      transportParser = parser;
    },
  });

  connection._onData = function (this: Connection, data: Buffer | string) {
    // The stock version decodes every chunk on its own, breaking characters cut in two.
    this.parser?.write(data);
  };

  connection.open = openListeningFirst;
}

/** As @xmpp/xml reacts to a parser error, but with the violation's own condition. */
function onViolation(connection: Connection, parser: StreamParser, error: StreamParseError): void {
  if (connection.parser !== parser) return;
  // Telling the server may fail on a dying socket; the violation itself is reported just below.
  connection._streamError(error.condition).catch(() => {});
  connection._detachParser();
  connection.emit("error", error);
}

/**
 * @xmpp/connection's open(), except that it listens for the server's header before sending ours:
 * the original subscribes only once its write has completed, and can miss a quick answer.
 */
async function openListeningFirst(
  this: Connection,
  { domain, lang }: { domain: string; lang?: string },
): Promise<unknown> {
  this._status("opening");
  const headerElement = this.headerElement();
  headerElement.attrs.to = domain;
  headerElement.attrs["xml:lang"] = lang;
  this.root = headerElement;
  this._attachParser(new (this.Parser as new () => unknown)());
  const opened = waitFor(this, "open", this.timeout);
  // Returned below; this only keeps it from counting as unhandled when the write fails first.
  opened.catch(() => {});
  await this.write(this.header(headerElement));
  return opened;
}

/** Like @xmpp/events' promise(): the event's value, or the "error" event's, or a TimeoutError. */
function waitFor(connection: Connection, event: string, timeout: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const settle = (done: () => void) => {
      clearTimeout(timer);
      connection.off(event, onEvent);
      connection.off("error", onError);
      done();
    };
    const onEvent = (value: unknown) => settle(() => resolve(value));
    const onError = (error: unknown) => settle(() => reject(error));
    const timer = timeout
      ? setTimeout(() => {
          const error = new Error("Timeout");
          error.name = "TimeoutError";
          settle(() => reject(error));
        }, timeout)
      : undefined;
    connection.once(event, onEvent);
    connection.once("error", onError);
  });
}
