import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { createSession } from "../../main/core/account-runtime";
import type { SessionEvents, XmppSession } from "../../main/core/session-api";
import type { WrenError } from "../../main/shared/errors";
import { ensureTestCertificates } from "../setup/certs";
import {
  answerStreamHeaders,
  fakeTcpServer,
  PLAIN_ONLY_FEATURES,
  STREAM_HEADER,
} from "./fake-server";

// Whatever arrives before the stream is TLS-secured, authenticated and bound may come from anyone
// on the path. None of it may reach the roster, presence, requests or conversations.

const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const STARTTLS_FEATURES =
  `<stream:features><starttls xmlns='${NS_TLS}'/>` +
  "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>" +
  "</mechanisms></stream:features>";

/** Stanzas an attacker would like Wren to believe. */
const FORGED =
  "<message from='mallory@localhost/x' type='chat' id='f1'><body>forged</body></message>" +
  "<presence from='mallory@localhost/x'><status>here</status></presence>" +
  "<presence from='eve@localhost' type='subscribe'/>" +
  "<iq type='set' id='push1'><query xmlns='jabber:iq:roster'>" +
  "<item jid='mallory@localhost' subscription='both'/></query></iq>";

const sessions: XmppSession[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

function session(port: number): XmppSession {
  const created = createSession({
    jid: "alice@localhost",
    password: "secret-password",
    host: "127.0.0.1",
    port,
    directTls: false,
  });
  sessions.push(created);
  return created;
}

/** Everything the session reports about the account's data, in order. */
function record(target: XmppSession): string[] {
  const seen: string[] = [];
  const events: (keyof SessionEvents)[] = ["message", "presence", "roster", "subscriptionRequest"];
  for (const event of events) target.on(event, () => seen.push(event));
  return seen;
}

async function failure(target: XmppSession): Promise<WrenError> {
  return target.start().then(
    () => {
      throw new Error("start() succeeded but should have failed");
    },
    (error: WrenError) => error,
  );
}

async function expectNothingKept(target: XmppSession): Promise<void> {
  expect(target.rosterItems()).toEqual([]);
  expect(target.subscriptionRequests()).toEqual([]);
  expect(target.contactPresences()).toEqual([]);
  expect(await target.history("mallory@localhost", {}, 10)).toEqual([]);
}

describe("stanzas before TLS", () => {
  it("ignores cleartext stanzas from a server that then offers no STARTTLS", async () => {
    // The forged stanzas come in the same write as the features, so they are parsed before the
    // features make the sign-in fail: its failure is the marker that they were seen.
    const fake = await fakeTcpServer({
      onData: (socket, chunk) => {
        if (chunk.includes("<stream:stream"))
          socket.write(STREAM_HEADER + FORGED + PLAIN_ONLY_FEATURES);
      },
    });
    closers.push(fake.close);
    const target = session(fake.port);
    const seen = record(target);

    const error = await failure(target);
    expect(error.code).toBe("tls-required");
    expect(seen).toEqual([]);
    await expectNothingKept(target);
    expect(fake.received()).not.toContain("<auth");
  });

  it("ignores cleartext stanzas sent before STARTTLS, and answers none of them", async () => {
    const fake = await fakeTcpServer({
      onData: (socket, chunk) => {
        if (chunk.includes("<stream:stream"))
          socket.write(STREAM_HEADER + FORGED + STARTTLS_FEATURES);
        // Refuse TLS, which ends the sign-in after the forged stanzas were parsed.
        if (chunk.includes("<starttls")) socket.end(`<failure xmlns='${NS_TLS}'/></stream:stream>`);
      },
    });
    closers.push(fake.close);
    const target = session(fake.port);
    const seen = record(target);

    const error = await failure(target);
    expect(error.code).toBe("tls-required");
    expect(seen).toEqual([]);
    await expectNothingKept(target);
    // Not even an error reply to the forged roster push went out in clear text.
    expect(fake.received()).not.toContain("push1");
  });
});

describe("bytes after <proceed/>", () => {
  /**
   * A server that answers <starttls/> with <proceed/> and more in the same write, then really does
   * TLS with a certificate the tests trust and offers PLAIN, so a client that let the extra bytes
   * through would go on to authenticate.
   */
  async function proceedingServer(after: string) {
    const { certPath, keyPath } = ensureTestCertificates();
    let secured = "";
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
      const onPlain = (data: Buffer) => {
        const chunk = data.toString("utf8");
        answerStreamHeaders(STARTTLS_FEATURES)?.(socket, chunk, chunk);
        if (!chunk.includes("<starttls")) return;
        socket.off("data", onPlain);
        socket.write(`<proceed xmlns='${NS_TLS}'/>${after}`);
        const tls = new TLSSocket(socket, {
          isServer: true,
          cert: readFileSync(certPath),
          key: readFileSync(keyPath),
        });
        tls.on("error", () => {});
        tls.on("data", (secure: Buffer) => {
          const text = secure.toString("utf8");
          secured += text;
          if (text.includes("<stream:stream")) tls.write(STREAM_HEADER + PLAIN_ONLY_FEATURES);
        });
      };
      socket.on("data", onPlain);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    return { port: (server.address() as { port: number }).port, secured: () => secured };
  }

  it("closes the connection when a stanza follows <proceed/> in the same read", async () => {
    const fake = await proceedingServer(FORGED);
    const target = session(fake.port);
    const seen = record(target);

    const error = await failure(target);
    expect(error.code).toBe("tls-required");
    expect(seen).toEqual([]);
    await expectNothingKept(target);
    expect(fake.secured()).not.toContain("<auth");
  });

  it("closes the connection when partial cleartext follows <proceed/>", async () => {
    const fake = await proceedingServer("<message from='mallory@localhost' type='chat'><bo");
    const target = session(fake.port);

    const error = await failure(target);
    expect(error.code).toBe("tls-required");
    expect(fake.secured()).not.toContain("<auth");
  });
});
