import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { client, xml, type Client, type Element } from "@xmpp/client";
import { installStreamParser, type InstallOptions } from "../../../../main/core/xml/install";
import { StreamParser } from "../../../../main/core/xml/stream-parser";
import { StreamParseError } from "../../../../main/core/xml/stream-parse-error";
import { HEADER } from "./parse";

const StockParser = (xml as unknown as { Parser: unknown }).Parser;

/** The private @xmpp/connection surface these tests drive or stub. */
interface Internals {
  Parser: unknown;
  parser: { write(data: Buffer | string): void } | null;
  socket: unknown;
  _onData(data: Buffer | string): void;
  _streamError(condition: string): Promise<unknown>;
  headerElement(): Element;
  header(element: Element): string;
  write(data: string): Promise<void>;
  open(options: { domain: string }): Promise<unknown>;
}

/**
 * An entity whose writes go nowhere, with no socket: what the server says is handed to
 * `_onData` by the test. `answer`, when given, arrives before our header's write completes.
 */
function offlineEntity(options?: InstallOptions, answer?: string) {
  const entity = client({ service: "xmpp://localhost:5222", domain: "localhost" });
  entity.timeout = 300;
  installStreamParser(entity, options);
  const internals = entity as unknown as Internals;
  internals.headerElement = () =>
    new xml.Element("stream:stream", { xmlns: "jabber:client", version: "1.0" });
  internals.header = (element) => `${element.toString().slice(0, -2)}>`;
  internals.write = async () => {
    if (answer) internals._onData(Buffer.from(answer));
  };
  return { entity, internals };
}

async function openEntity(options?: InstallOptions) {
  const { entity, internals } = offlineEntity(options, HEADER);
  await entity.open({ domain: "localhost" });
  const sent: string[] = [];
  internals._streamError = async (condition) => void sent.push(condition);
  const errors: unknown[] = [];
  entity.on("error", (error) => errors.push(error));
  const elements: Element[] = [];
  entity.on("element", (element: Element) => elements.push(element));
  return { entity, internals, sent, errors, elements };
}

describe("installStreamParser", () => {
  it("puts a StreamParser in place of the stock parser, even after connect() sets it again", () => {
    const { internals } = offlineEntity();
    expect(new (internals.Parser as new () => unknown)()).toBeInstanceOf(StreamParser);
    // What Client.connect() does for a TCP or TLS transport.
    internals.Parser = StockParser;
    expect(new (internals.Parser as new () => unknown)()).toBeInstanceOf(StreamParser);
  });

  it("lets other transports' parsers through", () => {
    const { internals } = offlineEntity();
    class FramedParser {}
    internals.Parser = FramedParser;
    expect(internals.Parser).toBe(FramedParser);
  });

  it("refuses an entity that already has a socket", () => {
    const entity = client({ service: "xmpp://localhost:5222", domain: "localhost" });
    (entity as unknown as Internals).socket = {};
    expect(() => installStreamParser(entity)).toThrow(/already connected/);
  });

  it("hands the parser bytes, so a character cut in two arrives whole", async () => {
    const { internals, elements, errors } = await openEntity();
    const bytes = Buffer.from("<message><body>😀</body></message>");
    internals._onData(bytes.subarray(0, 17));
    internals._onData(bytes.subarray(17));
    expect(errors).toEqual([]);
    expect(elements[0]!.getChildText("body")).toBe("😀");
  });

  it.each([
    ["not-well-formed", "<message><body>&foo;</body></message>"],
    ["restricted-xml", "<!DOCTYPE x>"],
    ["policy-violation", `<message><body>${"x".repeat(400)}</body></message>`],
  ])("closes the stream with %s and emits a StreamParseError", async (condition, hostile) => {
    const { entity, internals, sent, errors } = await openEntity({ maxStanzaBytes: 300 });
    internals._onData(Buffer.from(hostile));
    expect(sent).toEqual([condition]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamParseError);
    expect(errors[0]).toMatchObject({ name: "StreamParseError", condition });
    expect(internals.parser).toBeNull();
    // Data still arriving from the socket is dropped, not a crash.
    expect(() => internals._onData(Buffer.from("<message/>"))).not.toThrow();
    expect((entity as Client).status).not.toBe("online");
  });

  it.each([
    ["too deep", "<message><a><b><c><d/></c></b></a></message>"],
    ["with too many attributes", "<message a='1' b='2' c='3' d='4' e='5' f='6'/>"],
  ])(
    "passes on the depth and attribute limits: a stanza %s is a policy-violation",
    async (_, hostile) => {
      const { internals, sent, errors, elements } = await openEntity({
        maxDepth: 4,
        maxAttributes: 5,
      });
      internals._onData(
        Buffer.from(`<message a='1' b='2' c='3' d='4' e='5'><a><b><c/></b></a></message>`),
      );
      internals._onData(Buffer.from(hostile));
      expect(sent).toEqual(["policy-violation"]);
      expect(errors).toEqual([expect.objectContaining({ condition: "policy-violation" })]);
      expect(elements).toHaveLength(1);
    },
  );
});

describe("open()", () => {
  it("sees a stream header that arrives before our own header's write completes", async () => {
    const { entity } = offlineEntity({}, HEADER);
    const opened = (await entity.open({ domain: "localhost" })) as Element;
    expect(opened.name).toBe("stream:stream");
    expect(entity.status).toBe("open");
  });

  it("is needed: xmpp.js's own open() misses such a header and times out", async () => {
    const { entity } = offlineEntity({}, HEADER);
    const stockOpen = Object.getPrototypeOf(entity).open as Internals["open"];
    await expect(stockOpen.call(entity, { domain: "localhost" })).rejects.toMatchObject({
      name: "TimeoutError",
    });
  });

  it("still times out when no header comes, with a TimeoutError", async () => {
    const { entity } = offlineEntity();
    await expect(entity.open({ domain: "localhost" })).rejects.toMatchObject({
      name: "TimeoutError",
    });
  });

  it("fails with the parser's error when the header is refused", async () => {
    const { entity, internals } = offlineEntity({}, `<!DOCTYPE x>${HEADER}`);
    internals._streamError = async () => {};
    entity.on("error", () => {});
    await expect(entity.open({ domain: "localhost" })).rejects.toMatchObject({
      condition: "restricted-xml",
    });
  });
});
