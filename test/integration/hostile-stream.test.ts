import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import { client, xml, type Client, type Element } from "@xmpp/client";
import { toWrenError } from "../../main/core/errors";
import { installStreamParser } from "../../main/core/xml/install";
import { StreamParser } from "../../main/core/xml/stream-parser";
import { StreamParseError } from "../../main/core/xml/stream-parse-error";
import { ensureTestCertificates } from "../setup/certs";
import { fakeTlsServer, STREAM_HEADER, type Recorded } from "./fake-server";
import { eventually } from "./helpers";
import { registerAccount } from "./setup/accounts";

// A server that turns hostile after TLS: the client must survive it, close the stream with the
// stream error RFC 6120 names for what it saw, and go on parsing honest input correctly.

const DECLARATION = "<?xml version='1.0'?>";
const NS_STREAMS = "urn:ietf:params:xml:ns:xmpp-streams";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Newest first: a client stops before its server goes away.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/**
 * A direct-TLS server that answers the client's stream header with `pieces`, 50 ms apart, and its
 * closing tag with its own.
 */
async function hostileServer(pieces: (string | Buffer)[]): Promise<Recorded> {
  const fake = await fakeTlsServer(ensureTestCertificates(), {
    onData: (socket: Socket, chunk: string) => {
      if (chunk.includes("</stream:stream>")) socket.end("</stream:stream>");
      if (!chunk.includes("<stream:stream")) return;
      pieces.forEach((piece, i) => {
        setTimeout(() => socket.writable && socket.write(piece), 50 * i);
      });
    },
  });
  cleanups.push(() => fake.close());
  return fake;
}

interface Watched {
  entity: Client;
  errors: unknown[];
  elements: Element[];
  started: Promise<unknown>;
}

/** An @xmpp/client entity with Wren's parser, opening a stream to the fake server. */
function connect(fake: Recorded, maxStanzaBytes?: number): Watched {
  const entity = client({
    service: `xmpps://127.0.0.1:${fake.port}`,
    domain: "localhost",
    timeout: 5000,
  });
  entity.reconnect.stop();
  installStreamParser(entity, { maxStanzaBytes });
  const watched: Watched = { entity, errors: [], elements: [], started: Promise.resolve() };
  entity.on("error", (error) => watched.errors.push(error));
  entity.on("element", (element: Element) => watched.elements.push(element));
  // As Wren's session does: entity.start() would leave its "online" promise unhandled when the
  // stream fails while opening.
  watched.started = (async () => {
    await entity.connect(`xmpps://127.0.0.1:${fake.port}`);
    return entity.open({ domain: "localhost" });
  })().catch((error: unknown) => error);
  cleanups.push(() => entity.stop());
  return watched;
}

/** Waits for the client to close its stream, and returns what it sent last. */
async function closedStream(fake: Recorded): Promise<string> {
  await eventually(
    () => fake.received().includes("</stream:stream>"),
    "the client's </stream:stream>",
  );
  return fake.received().slice(fake.received().indexOf("</stream:stream>") - 200);
}

function streamError(condition: string): string {
  return `<stream:error><${condition} xmlns="${NS_STREAMS}"/></stream:error></stream:stream>`;
}

async function expectClosedWith(fake: Recorded, watched: Watched, condition: string) {
  expect(await closedStream(fake)).toContain(streamError(condition));
  const parseErrors = watched.errors.filter((error) => error instanceof StreamParseError);
  expect(parseErrors).toHaveLength(1);
  expect(parseErrors[0]).toMatchObject({ name: "StreamParseError", condition });
  await eventually(
    () => ["disconnect", "offline"].includes(watched.entity.status),
    "the client to drop the connection",
  );
}

/** What Wren shows for the parse error the client saw. */
function readableParseError(watched: Watched): string {
  const error = watched.errors.find((candidate) => candidate instanceof StreamParseError);
  return toWrenError(error, { domain: "localhost" }).message;
}

describe("a hostile server, after TLS", () => {
  it("sends an undeclared entity: not-well-formed, and the client survives", async () => {
    const fake = await hostileServer([
      STREAM_HEADER,
      "<message from='romeo@localhost' type='chat'><body>&foo;</body></message>",
    ]);
    const watched = connect(fake);
    await expectClosedWith(fake, watched, "not-well-formed");
    expect(watched.elements).toEqual([]);
  });

  it("sends a DOCTYPE with an entity declaration: restricted-xml", async () => {
    const fake = await hostileServer([
      `${DECLARATION}<!DOCTYPE stream:stream [<!ENTITY boom 'boom'>]>` +
        STREAM_HEADER.slice(DECLARATION.length),
    ]);
    const watched = connect(fake);
    await expectClosedWith(fake, watched, "restricted-xml");
    // The stream never opened: open() fails with the violation.
    expect(await watched.started).toMatchObject({ condition: "restricted-xml" });
  });

  it("sends a stanza over the configured limit: policy-violation", async () => {
    const fake = await hostileServer([
      STREAM_HEADER,
      `<message from='romeo@localhost' type='chat'><body>${"x".repeat(4096)}</body></message>`,
    ]);
    const watched = connect(fake, 1024);
    await expectClosedWith(fake, watched, "policy-violation");
    expect(watched.elements).toEqual([]);
  });

  it("sends issue #8's 2.8 MB stanza of nested elements: policy-violation at the default limit", async () => {
    const levels = 400_000;
    const fake = await hostileServer([
      STREAM_HEADER,
      `<message from='romeo@localhost' type='chat'>${"<a>".repeat(levels)}${"</a>".repeat(levels)}</message>`,
    ]);
    const watched = connect(fake);
    await expectClosedWith(fake, watched, "policy-violation");
    expect(watched.elements).toEqual([]);
    expect(readableParseError(watched)).toBe(
      "The server for localhost sent data that XMPP does not allow (policy-violation " +
        "(elements are nested more than 64 deep)), so Wren closed the connection.",
    );
  });

  it("sends an element with 10,000 attributes: policy-violation at the default limit", async () => {
    const attributes = Array.from({ length: 10_000 }, (_, i) => ` a${i}='${i}'`).join("");
    const fake = await hostileServer([
      STREAM_HEADER,
      `<message from='romeo@localhost' type='chat'${attributes}><body>hi</body></message>`,
    ]);
    const watched = connect(fake);
    await expectClosedWith(fake, watched, "policy-violation");
    expect(watched.elements).toEqual([]);
    expect(readableParseError(watched)).toContain("an element has more than 64 attributes");
  });

  it("cuts multi-byte characters across TLS records: the text arrives intact", async () => {
    const text = "café € 😀 ok";
    const stanza = Buffer.from(
      `<message from='romeo@localhost' type='chat' id='u1'><body>${text}</body></message>`,
    );
    const cuts = [stanza.indexOf("é") + 1, stanza.indexOf("€") + 2, stanza.indexOf("😀") + 1];
    const pieces = [0, ...cuts].map((from, i) => stanza.subarray(from, cuts[i] ?? stanza.length));
    const fake = await hostileServer([STREAM_HEADER, ...pieces]);
    const watched = connect(fake);
    await eventually(() => watched.elements.length > 0, "the message");
    expect(watched.elements[0]!.getChildText("body")).toBe(text);
    expect(watched.errors).toEqual([]);
    expect(fake.received()).not.toContain("<stream:error>");
  });
});

describe("an honest server (the test Prosody)", () => {
  it("signs in over STARTTLS through the hardened parser, restarts and all", async () => {
    const server = inject("xmpp");
    const account = await registerAccount(server.configPath);
    const [username] = account.jid.split("@");
    const entity = client({
      service: `xmpp://${server.host}:${server.c2sPort}`,
      domain: "localhost",
      username,
      password: account.password,
      resource: "hostile-stream-test",
    });
    entity.reconnect.stop();
    installStreamParser(entity);
    const errors: unknown[] = [];
    entity.on("error", (error) => errors.push(error));
    cleanups.push(() => entity.stop());

    await entity.start();
    const roster = await entity.iqCaller.request(
      xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" })),
    );
    expect(roster.getChild("query", "jabber:iq:roster")).toBeDefined();
    expect(entity.isSecure()).toBe(true);
    expect((entity as unknown as { parser: unknown }).parser).toBeInstanceOf(StreamParser);
    expect(errors).toEqual([]);
  });
});
