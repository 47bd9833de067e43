import { describe, expect, it } from "vitest";
import { StreamParser } from "../../../../main/core/xml/stream-parser";
import { StreamParseError } from "../../../../main/core/xml/stream-parse-error";
import { failure, HEADER, parse, parseStream } from "./parse";

const MESSAGE = '<message to="romeo@example.net"><body>hi</body></message>';

describe("a well-formed stream", () => {
  it("emits the root, each top-level child, and the end", () => {
    const outcome = parseStream(`${MESSAGE}<presence/></stream:stream>`);
    expect(outcome.root?.name).toBe("stream:stream");
    expect(outcome.root?.attrs).toEqual({
      xmlns: "jabber:client",
      "xmlns:stream": "http://etherx.jabber.org/streams",
      id: "s1",
      from: "example.net",
      version: "1.0",
    });
    expect(outcome.elements.map((element) => element.toString())).toEqual([MESSAGE, "<presence/>"]);
    expect(outcome.ended).toBe(true);
    expect(outcome.errors).toEqual([]);
  });

  it("builds elements as @xmpp/xml does: parent, children, text, namespaces", () => {
    const [message] = parseStream(
      "<message><body>hi</body><x:y xmlns:x='urn:x' a='1'><z/></x:y></message>",
    ).elements;
    expect(message!.parent?.name).toBe("stream:stream");
    expect(message!.parent?.children).not.toContain(message);
    expect(message!.is("message", "jabber:client")).toBe(true);
    expect(message!.getChildText("body")).toBe("hi");
    const y = message!.getChild("y", "urn:x")!;
    expect(y.parent).toBe(message);
    expect(y.attrs).toEqual({ "xmlns:x": "urn:x", a: "1" });
    expect(y.getChild("z")?.parent).toBe(y);
    expect(y.getChild("z")?.getNS()).toBe("jabber:client");
  });

  it("accepts a self-closing root as a stream that starts and ends", () => {
    const outcome = parse("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>");
    expect(outcome.root?.name).toBe("stream:stream");
    expect(outcome.ended).toBe(true);
  });

  it("ignores whitespace between stanzas and before the root", () => {
    const outcome = parse(`\n ${HEADER}\n\t${MESSAGE} \r\n ${MESSAGE}`);
    expect(outcome.elements).toHaveLength(2);
    expect(outcome.errors).toEqual([]);
  });

  it("ignores input after the stream ended", () => {
    const outcome = parseStream(`</stream:stream><message/>&bogus;`);
    expect(outcome.ended).toBe(true);
    expect(outcome.elements).toEqual([]);
    expect(outcome.errors).toEqual([]);
  });

  it("resolves the predefined entities and character references, in text and attributes", () => {
    const [message] = parseStream(
      "<message id='&lt;&amp;&gt;&quot;&apos;&#65;&#x1F600;'>" +
        "<body>&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos; &#169; &#x1f600;</body></message>",
    ).elements;
    expect(message!.attrs.id).toBe(`<&>"'A😀`);
    expect(message!.getChildText("body")).toBe(`<b> & "q" 'a' © 😀`);
  });

  it("allows > in attribute values and text", () => {
    const [message] = parseStream("<message id='a>b'><body>1 > 0</body></message>").elements;
    expect(message!.attrs.id).toBe("a>b");
    expect(message!.getChildText("body")).toBe("1 > 0");
  });

  it("takes CDATA sections as text", () => {
    const [body] = parseStream("<body>a<![CDATA[<b>&amp;</b>]]>z<![CDATA[]]></body>").elements;
    expect(body!.children).toEqual(["a", "<b>&amp;</b>", "z"]);
    expect(body!.text()).toBe("a<b>&amp;</b>z");
  });

  it("normalizes line ends in text, and whitespace in attribute values (XML 1.0 §2.11, §3.3.3)", () => {
    const [body] = parseStream("<body a='x\r\ny\tz&#10;'>1\r\n2\r3\n</body>").elements;
    expect(body!.attrs.a).toBe("x y z\n");
    expect(body!.text()).toBe("1\n2\n3\n");
  });

  it("accepts names beyond ASCII", () => {
    const [element] = parseStream("<ñ:été xmlns:ñ='urn:x' 𐀀='1'/>").elements;
    expect(element!.name).toBe("ñ:été");
    expect(element!.attrs["𐀀"]).toBe("1");
  });

  it("accepts an XML declaration that says UTF-8, and a byte order mark", () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const declaration = `<?xml version="1.0" encoding="UTF-8" standalone='yes' ?>`;
    const outcome = parse([bom, new TextEncoder().encode(declaration + HEADER.slice(21))]);
    expect(outcome.root?.name).toBe("stream:stream");
    expect(outcome.errors).toEqual([]);
  });
});

describe("restricted XML (RFC 6120 §11.1)", () => {
  it.each([
    ["a DOCTYPE", `<?xml version='1.0'?><!DOCTYPE stream [<!ENTITY x "y">]>${HEADER.slice(21)}`],
    ["a comment before the root", `<!-- hi -->${HEADER}`],
    ["a comment between stanzas", `${HEADER}<!-- hi -->`],
    ["a comment inside a stanza", `${HEADER}<message><!-- hi --></message>`],
    ["a processing instruction", `${HEADER}<message><?php echo 1; ?></message>`],
    ["a processing instruction named xml-like", `${HEADER}<?xml-stylesheet href='x'?>`],
    ["an entity declaration", `${HEADER}<!ENTITY x "y">`],
    ["a second XML declaration", `${HEADER}<?xml version='1.0'?>`],
  ])("rejects %s with restricted-xml", (_, stream) => {
    const outcome = parse(stream);
    expect(failure(outcome)).toMatch(/^restricted-xml: /);
    expect(outcome.elements).toEqual([]);
  });
});

describe("malformed XML", () => {
  it.each([
    ["an undeclared entity", "<message><body>&foo;</body></message>", /undeclared.*&foo;/],
    ["an undeclared entity in an attribute", "<message id='&foo;'/>", /&foo;/],
    ["a bare ampersand", "<message><body>a & b</body></message>", /entity/],
    ["a reference to NUL", "<message><body>&#0;</body></message>", /forbidden/],
    ["a reference to a surrogate", "<message><body>&#xD800;</body></message>", /forbidden/],
    ["a control character", "<message><body>\u0001</body></message>", /U\+0001/],
    ["U+FFFE", "<message><body>\uFFFE</body></message>", /U\+FFFE/],
    ["NUL in a tag", "<message\u0000/>", /malformed start tag/],
    ["NUL in an attribute value", "<message id='\u0000'/>", /U\+0000/],
    ["U+FFFF in an attribute value", "<message id='\uFFFF'/>", /U\+FFFF/],
    ["a control character in CDATA", "<body><![CDATA[\u001F]]></body>", /U\+001F/],
    ["mismatched tags", "<message><body></message></body>", /<\/message> does not close <body>/],
    ["an end tag that closes the root early", "<message></stream:stream>", /does not close/],
    ["a duplicate attribute", "<message id='1' id='2'/>", /appears twice/],
    ["an unquoted attribute", "<message id=1/>", /not quoted/],
    ["an attribute without a value", "<message id/>", /no value/],
    ["attributes without space between", "<message a='1'b='2'/>", /malformed start tag/],
    ["< in an attribute value", "<message id='a<b'/>", /< in an attribute/],
    ["a name starting with a digit", "<1message/>", /malformed start tag/],
    ["a space after <", "< message/>", /malformed start tag/],
    ["]]> in text", "<message><body>a]]>b</body></message>", /\]\]>/],
    ["text outside a stanza", "hello<message/>", /text outside a stanza/],
    ["CDATA outside a stanza", "<![CDATA[x]]>", /text outside a stanza/],
    ["a malformed end tag", "<message></message x>", /malformed end tag/],
  ])("rejects %s with not-well-formed", (_, body, detail) => {
    const outcome = parseStream(body);
    expect(failure(outcome)).toMatch(/^not-well-formed: /);
    expect(failure(outcome)).toMatch(detail);
    expect(outcome.elements).toEqual([]);
  });

  it("rejects an end tag before the root", () => {
    expect(failure(parse("</stream:stream>"))).toMatch(/^not-well-formed: .*anything/);
  });

  it("rejects an XML declaration for another encoding with unsupported-encoding", () => {
    const outcome = parse(`<?xml version='1.0' encoding='ISO-8859-1'?>${HEADER.slice(21)}`);
    expect(failure(outcome)).toBe("unsupported-encoding: the stream declares ISO-8859-1");
  });
});

describe("after a violation", () => {
  it("delivers what came before it, reports once, then ignores all input", () => {
    const parser = new StreamParser();
    const seen: string[] = [];
    parser.on("element", (element) => seen.push(element.name));
    parser.on("error", (error: StreamParseError) => seen.push(`error ${error.condition}`));
    parser.write(`${HEADER}<presence/><message>&foo;</message><iq/>`);
    parser.write("<message/>");
    parser.write("<!DOCTYPE x>");
    parser.end();
    expect(seen).toEqual(["presence", "error not-well-formed"]);
  });

  it("never throws out of write(), whatever it is given", () => {
    const parser = new StreamParser();
    const errors: unknown[] = [];
    parser.on("error", (error) => errors.push(error));
    const inputs = ["<", "&", "\u0000", "<!", "]]>", "</a>", "<a b='", "\uFFFF", "<?", "<a><b>"];
    for (const input of inputs) expect(() => parser.write(input)).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamParseError);
  });

  it("hands a violation to onViolation instead of emitting error, when given", () => {
    const violations: StreamParseError[] = [];
    const parser = new StreamParser({ onViolation: (error) => violations.push(error) });
    const errors: unknown[] = [];
    parser.on("error", (error) => errors.push(error));
    parser.write(`${HEADER}<!-- x -->`);
    expect(violations.map((error) => error.condition)).toEqual(["restricted-xml"]);
    expect(errors).toEqual([]);
  });
});

describe("listeners that throw", () => {
  it("do not stop the parser mid-chunk: the rest is parsed, then the error is rethrown", () => {
    const parser = new StreamParser();
    const seen: string[] = [];
    parser.on("element", (element) => {
      seen.push(element.attrs.id!);
      if (element.attrs.id === "1") throw new Error("listener failed");
    });
    expect(() =>
      parser.write(`${HEADER}<message id='1'/><message id='2'/><message id='3'/>`),
    ).toThrow("listener failed");
    parser.write("<message id='4'/>");
    expect(seen).toEqual(["1", "2", "3", "4"]);
  });
});

describe("chunk boundaries", () => {
  const stream =
    `${HEADER}<message id='a&amp;b' xml:lang='en'><body>x &lt; y <![CDATA[c]]]]></body>` +
    `<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/></message>` +
    `<presence><status>𝄞 ok</status></presence></stream:stream>`;

  it("do not change the result, wherever they fall", () => {
    const whole = parse(stream);
    const bytes = new TextEncoder().encode(stream);
    for (let at = 0; at <= bytes.length; at++) {
      const outcome = parse([bytes.subarray(0, at), bytes.subarray(at)]);
      expect(outcome.errors).toEqual([]);
      expect(outcome.elements.map(String)).toEqual(whole.elements.map(String));
    }
    const byteByByte = parse([...bytes].map((byte) => new Uint8Array([byte])));
    expect(byteByByte.elements.map(String)).toEqual(whole.elements.map(String));
    expect(byteByByte.ended).toBe(true);
  });

  it("do not hide a violation, wherever they fall", () => {
    const hostile = new TextEncoder().encode(`${HEADER}<message><body>&foo;</body></message>`);
    for (let at = 0; at <= hostile.length; at++) {
      const outcome = parse([hostile.subarray(0, at), hostile.subarray(at)]);
      expect(failure(outcome)).toMatch(/^not-well-formed: .*&foo;/);
    }
  });
});

describe("error messages", () => {
  it("name the bad reference, not an earlier good one", () => {
    expect(failure(parseStream("<body>&amp; &lt; &bogus; &gt;</body>"))).toBe(
      "not-well-formed: undeclared or malformed entity &bogus;",
    );
  });
});
