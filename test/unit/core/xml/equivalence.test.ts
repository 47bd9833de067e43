import type { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { xml, type Element } from "@xmpp/client";
import { HEADER, parse } from "./parse";

// Wren's parser must build exactly the trees the stock @xmpp/xml parser builds from ordinary
// stanzas: the rest of xmpp.js and Wren read them.
const StockParser = (
  xml as unknown as { Parser: new () => EventEmitter & { write(s: string): void } }
).Parser;

const NS_STREAMS = "urn:ietf:params:xml:ns:xmpp-streams";
const CORPUS: Record<string, string> = {
  "stream features":
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>" +
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>" +
    "<mechanism>PLAIN</mechanism></mechanisms><sm xmlns='urn:xmpp:sm:3'/>" +
    "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
  roster:
    "<iq type='result' id='roster_1' to='juliet@example.com/balcony'>" +
    "<query xmlns='jabber:iq:roster' ver='ver11'>\n  <item jid='romeo@example.net' " +
    "name='Romeo' subscription='both'>\n    <group>Friends</group>\n  </item>\n" +
    "  <item jid='nurse@example.com' subscription='from' ask='subscribe'/>\n</query></iq>",
  "presence with namespaced children":
    "<presence from='romeo@example.net/orchard' xml:lang='en'><show>away</show>" +
    "<status xml:lang='de'>Im Garten</status><priority>5</priority>" +
    "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://wren.example' " +
    "ver='QgayPKawpkPSDYmwT/WM94uAlu0='/><x xmlns='vcard-temp:x:update'><photo>" +
    "01b87fcd030b72895ff8e88db57ec525450f000d</photo></x></presence>",
  "message with delay":
    '<message from="romeo@example.net/orchard" to="juliet@example.com" type="chat" ' +
    'id="ktx72v49"><body>Art thou not Romeo, and a Montague?</body><thread>e0ffe42b</thread>' +
    "<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>" +
    "Offline Storage</delay></message>",
  "escaped attributes and text":
    "<message id='a&amp;b&lt;c&gt;d&quot;e&apos;f' to=\"x&#38;y\"><body>&lt;b&gt;bold&lt;/b&gt;" +
    " &amp; &#169; &#x1F600; &quot;quoted&quot;</body></message>",
  "unicode text and attributes":
    "<message to='jürgen@exämple.de'><subject>Grüße</subject><body>中文 😀 ‏עברית</body></message>",
  CDATA: "<message><body>before<![CDATA[<b>raw & ]] stuff</b>]]></body></message>",
  prefixes:
    "<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'>" +
    "<items node='urn:xmpp:avatar:metadata'><item id='abc'><metadata xmlns='urn:xmpp:avatar:metadata'>" +
    "<info bytes='12345' id='abc' type='image/png'/></metadata></item></items></pubsub>" +
    "<foo:bar xmlns:foo='urn:example:foo' foo:attr='v'/></iq>",
  "stream error":
    `<stream:error><conflict xmlns='${NS_STREAMS}'/><text xmlns='${NS_STREAMS}' ` +
    "xml:lang='en'>Replaced by new connection</text></stream:error>",
  "empty and self-closing elements":
    "<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'></ping><x/><y a='' b=\"\"/></iq>",
  "> in attribute values": "<message id='a>b' type=\"x>y\"><body>1 > 0</body></message>",
  "whitespace in tags": "<message\n  id = 'x'\tto =\"y\" ><body >hi</body\n></message >",
};

interface Shape {
  name: string;
  attrs: Record<string, string | undefined>;
  ns: string | undefined;
  children: (string | Shape)[];
}

function shape(element: Element): Shape {
  return {
    name: element.name,
    attrs: { ...element.attrs },
    ns: element.getNS(),
    children: element.children.map((child) => (typeof child === "string" ? child : shape(child))),
  };
}

function stockParse(stream: string) {
  const parser = new StockParser();
  const elements: Element[] = [];
  let root: Element | null = null;
  parser.on("start", (element: Element) => (root = element));
  parser.on("element", (element: Element) => elements.push(element));
  parser.write(stream);
  return { root: root as Element | null, elements };
}

describe("trees compared with the stock @xmpp/xml parser", () => {
  it("has the same root", () => {
    const stock = stockParse(HEADER);
    const wren = parse(HEADER);
    expect(wren.root!.name).toBe(stock.root!.name);
    expect(wren.root!.attrs).toEqual(stock.root!.attrs);
  });

  it.each(Object.entries(CORPUS))("builds the same tree for %s", (_, stanza) => {
    const stream = HEADER + stanza;
    const stock = stockParse(stream);
    const wren = parse(stream);
    expect(wren.errors).toEqual([]);
    expect(stock.elements).toHaveLength(1);
    expect(wren.elements.map(shape)).toEqual(stock.elements.map(shape));
    expect(String(wren.elements[0])).toBe(String(stock.elements[0]));
    expect(wren.elements[0]!.parent).toBe(wren.root);
    expect(wren.root!.children).toEqual([]);
  });

  it("differs on purpose: keeps the text after a CDATA section, which the stock parser drops", () => {
    const stream = `${HEADER}<body>a<![CDATA[x]]>b</body>`;
    expect(stockParse(stream).elements[0]!.children).toEqual(["a", "x"]);
    expect(parse(stream).elements[0]!.children).toEqual(["a", "x", "b"]);
  });

  it("answers the questions xmpp.js asks the same way", () => {
    const stream = HEADER + CORPUS["presence with namespaced children"]! + CORPUS.roster!;
    const [stockPresence, stockIq] = stockParse(stream).elements;
    const [presence, iq] = parse(stream).elements;
    expect(presence!.is("presence", "jabber:client")).toBe(
      stockPresence!.is("presence", "jabber:client"),
    );
    expect(presence!.getChild("c", "http://jabber.org/protocol/caps")?.attrs).toEqual(
      stockPresence!.getChild("c", "http://jabber.org/protocol/caps")?.attrs,
    );
    expect(presence!.getChildText("status")).toBe(stockPresence!.getChildText("status"));
    const items = (element: Element) =>
      element
        .getChild("query", "jabber:iq:roster")!
        .getChildren("item")
        .map((item) => item.attrs);
    expect(items(iq!)).toEqual(items(stockIq!));
    expect(iq!.getChild("query")!.text()).toBe(stockIq!.getChild("query")!.text());
  });
});
