import { connect as tcpConnect, createServer, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { WrenError } from "../../main/shared/errors";
import { createSession } from "../../main/core/account-runtime";
import type { XmppSession } from "../../main/core/session-api";
import { ensureTestCertificates } from "../setup/certs";
import {
  answerStreamHeaders,
  fakeTcpServer,
  fakeTlsServer,
  PLAIN_ONLY_FEATURES,
  selfSignedCertificate,
  STREAM_HEADER,
  type Recorded,
} from "./fake-server";
import { sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";
import { freePorts } from "./setup/prosody";

const server = inject("xmpp");
const pool = sessionPool();
let account: TestAccount;

beforeAll(async () => {
  account = await registerAccount(server.configPath);
});
afterEach(() => pool.stopAll());

async function startError(session: XmppSession): Promise<WrenError> {
  pool.track(session);
  const error = await session.start().then(
    () => {
      throw new Error("start() succeeded but should have failed");
    },
    (failure: WrenError) => failure,
  );
  expect(error.name).toBe("WrenError");
  expect(session.state()).toEqual({
    state: "error",
    jid: session.jid,
    error: error.toUserError(),
  });
  return error;
}

describe("signing in to Prosody", () => {
  it("signs in over STARTTLS, fetching the roster on the way", async () => {
    const states: string[] = [];
    const session = pool.track(
      createSession({
        jid: account.jid,
        password: account.password,
        host: server.host,
        port: server.c2sPort,
        directTls: false,
      }),
    );
    session.on("state", (state) => states.push(state.state));
    let rosterReset = false;
    session.on("roster", (change) => (rosterReset ||= change.reset));

    await session.start();

    expect(states).toEqual(["connecting", "online"]);
    expect(session.state()).toEqual({
      state: "online",
      jid: account.jid,
      error: null,
      security: {
        tls: "TLSv1.3",
        mechanism: "SCRAM-SHA-1",
        channelBinding: null,
        trustedByYou: false,
        warning: null,
      },
    });
    expect(rosterReset).toBe(true);

    await session.stop();
    expect(session.state().state).toBe("offline");
  });

  it("signs in over direct TLS (XEP-0368)", async () => {
    const session = await pool.signIn(account, { directTls: true });
    expect(session.state().state).toBe("online");
  });

  it("rejects a wrong password with auth-failed", async () => {
    const session = createSession({
      jid: account.jid,
      password: `${account.password}-wrong`,
      host: server.host,
      port: server.c2sPort,
      directTls: false,
    });
    const error = await startError(session);
    expect(error.code).toBe("auth-failed");
    expect(error.message).toMatch(/password/);
  });

  it.each([
    ["STARTTLS", false],
    ["direct TLS", true],
  ])("refuses a certificate that does not name the domain (%s)", async (_, directTls) => {
    const session = createSession({
      jid: `someone@${server.uncertifiedDomain}`,
      password: "irrelevant",
      host: server.host,
      port: directTls ? server.directTlsPort : server.c2sPort,
      directTls,
    });
    const error = await startError(session);
    expect(error.code).toBe("certificate-untrusted");
    expect(error.message).toContain(server.uncertifiedDomain);
  });

  it("reports a closed port as connection-refused", async () => {
    const [closedPort] = await freePorts(1);
    const session = createSession({
      jid: account.jid,
      password: account.password,
      host: server.host,
      port: closedPort,
      directTls: false,
    });
    const error = await startError(session);
    expect(error.code).toBe("connection-refused");
  });

  it("reports an unknown host as host-not-found", async () => {
    const session = createSession({
      jid: account.jid,
      password: account.password,
      host: "wren-test.invalid",
      port: 5222,
      directTls: false,
    });
    const error = await startError(session);
    expect(error.code).toBe("host-not-found");
    expect(error.message).toContain("wren-test.invalid");
  });
});

describe("servers that would let us continue without encryption", () => {
  let fake: Recorded | null = null;
  afterEach(async () => {
    await fake?.close();
    fake = null;
  });

  it("refuses a server that offers no STARTTLS, without sending <auth>", async () => {
    fake = await fakeTcpServer({ onData: answerStreamHeaders(PLAIN_ONLY_FEATURES) });
    const session = createSession({
      jid: "alice@localhost",
      password: "secret-password",
      host: "127.0.0.1",
      port: fake.port,
      directTls: false,
    });
    const error = await startError(session);

    expect(error.code).toBe("tls-required");
    expect(error.message).toMatch(/refused to continue without encryption/);
    expect(fake.received()).toContain("<stream:stream"); // it did talk to the fake server
    await fake.clientsGone(); // Wren hung up: nothing more can come
    expect(fake.received()).not.toContain("<auth");
    expect(fake.received()).not.toContain(Buffer.from("secret-password").toString("base64"));
  });

  it("refuses when a man in the middle strips STARTTLS from Prosody's features", async () => {
    const proxy = await strippingProxy(server.c2sPort);
    fake = proxy.recorded;
    const session = createSession({
      jid: account.jid,
      password: account.password,
      host: "127.0.0.1",
      port: proxy.recorded.port,
      directTls: false,
    });
    const error = await startError(session);

    expect(proxy.stripped()).toBeGreaterThan(0); // Prosody did offer STARTTLS, and we removed it
    expect(error.code).toBe("tls-required");
    await proxy.recorded.clientsGone(); // Wren hung up: nothing more can come
    expect(proxy.recorded.received()).not.toContain("<auth");
  });

  it("refuses when the server answers <starttls/> with <failure/>", async () => {
    const features =
      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" +
      "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>" +
      "</mechanisms></stream:features>";
    fake = await fakeTcpServer({
      onData: (socket, chunk) => {
        answerStreamHeaders(features)?.(socket, chunk, chunk);
        if (chunk.includes("<starttls")) {
          socket.write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
        }
      },
    });
    const session = createSession({
      jid: "alice@localhost",
      password: "secret-password",
      host: "127.0.0.1",
      port: fake.port,
      directTls: false,
    });
    const error = await startError(session);
    expect(error.code).toBe("tls-required");
    expect(fake.received()).toContain("<starttls");
    await fake.clientsGone(); // Wren hung up: nothing more can come
    expect(fake.received()).not.toContain("<auth");
  });
});

describe("direct TLS details", () => {
  it("sends SNI and verifies the certificate for the JID's domain, and asks for ALPN xmpp-client", async () => {
    const seen: { servername: string | false | null; alpn: string | false | null }[] = [];
    const fake = await fakeTlsServer(ensureTestCertificates(), {
      onConnection: (socket) => {
        const tlsSocket = socket as TLSSocket;
        seen.push({
          servername: (tlsSocket as unknown as { servername: string | false }).servername,
          alpn: tlsSocket.alpnProtocol,
        });
      },
      // Accept the stream, then close it: enough to see what the client negotiated.
      onData: (socket, chunk) => {
        if (chunk.includes("<stream:stream")) {
          socket.end(
            STREAM_HEADER +
              "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" +
              "</stream:error></stream:stream>",
          );
        }
      },
    });
    try {
      // Dialling an IP: the certificate must still be checked for "localhost", the JID's domain.
      const session = createSession({
        jid: "alice@localhost",
        password: "irrelevant",
        host: "127.0.0.1",
        port: fake.port,
        directTls: true,
      });
      const error = await startError(session);
      expect(error.code).toBe("stream-closed");
      expect(error.message).toContain("system-shutdown");
      expect(seen).toEqual([{ servername: "localhost", alpn: "xmpp-client" }]);
    } finally {
      await fake.close();
    }
  });
});

describe("a certificate nobody vouches for", () => {
  it("refuses a self-signed certificate with certificate-untrusted", async () => {
    const fake = await fakeTlsServer(selfSignedCertificate("localhost"), {});
    try {
      const session = createSession({
        jid: "alice@localhost",
        password: "secret-password",
        host: "127.0.0.1",
        port: fake.port,
        directTls: true,
      });
      const error = await startError(session);
      expect(error.code).toBe("certificate-untrusted");
      expect(error.message).toMatch(/self-signed/);
    } finally {
      await fake.close();
    }
  });
});

describe("a server that never answers", () => {
  it("makes start() fail with timeout instead of hanging", async () => {
    const silent = createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const session = createSession({
        jid: "alice@localhost",
        password: "irrelevant",
        host: "127.0.0.1",
        port,
        directTls: false,
      });
      const error = await startError(session);
      expect(error.code).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(21_000);
    } finally {
      silent.close();
    }
  }, 30_000);
});

/** A TCP proxy to Prosody that removes <starttls/> from the features and offers PLAIN instead. */
async function strippingProxy(targetPort: number) {
  let stripped = 0;
  const clientSockets = new Set<Socket>();
  const recorded = await fakeTcpServer({
    onConnection: (client) => {
      clientSockets.add(client);
      const upstream = tcpConnect(targetPort, "127.0.0.1");
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.on("data", (data) => upstream.write(data));
      upstream.on("data", (data: Buffer) => {
        const text = data.toString("utf8");
        const rewritten = text.replace(
          /<starttls\b[^>]*\/>|<starttls\b[^>]*>[\s\S]*?<\/starttls>/,
          "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>",
        );
        if (rewritten !== text) stripped++;
        client.write(rewritten);
      });
    },
  });
  return { recorded, stripped: () => stripped };
}
