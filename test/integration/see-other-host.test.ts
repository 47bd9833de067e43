import { afterEach, describe, expect, it } from "vitest";
import type { WrenError } from "../../main/shared/errors";
import { createSession } from "../../main/core/account-runtime";
import { ensureTestCertificates } from "../setup/certs";
import { fakeTlsServer, STREAM_HEADER, type Recorded } from "./fake-server";

// RFC 6120 §4.9.3.19: a server may send us elsewhere with <see-other-host/>. Stock xmpp.js follows
// it to any host; Wren follows it only within the account's own domain.

const certs = ensureTestCertificates();
const servers: Recorded[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function redirectingServer(target: string): Promise<Recorded> {
  const server = await fakeTlsServer(certs, {
    onData: (socket, chunk) => {
      if (!chunk.includes("<stream:stream")) return;
      socket.write(
        `${STREAM_HEADER}<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${target}</see-other-host></stream:error></stream:stream>`,
      );
    },
  });
  servers.push(server);
  return server;
}

function sessionTo(port: number) {
  return createSession({
    jid: "alice@localhost",
    password: "secret-password",
    host: "127.0.0.1",
    port,
    directTls: true,
  });
}

describe("see-other-host", () => {
  it("refuses a redirect to another domain and says so", async () => {
    const first = await redirectingServer("evil.example:5223");
    const session = sessionTo(first.port);
    const error = (await session.start().catch((failure: unknown) => failure)) as WrenError;
    expect(error.code).toBe("stream-closed");
    expect(error.message).toMatch(/evil\.example.*not part of localhost/);
    await first.clientsGone(); // Wren hung up: nothing more can come
    expect(first.received()).not.toContain("<auth");
    await session.stop();
  });

  it("follows a redirect within the account's domain, verifying the same domain there", async () => {
    const second = await fakeTlsServer(certs, {});
    servers.push(second);
    const first = await redirectingServer(`localhost:${second.port}`);
    const session = sessionTo(first.port);
    const attempt = session.start();
    attempt.catch(() => {});
    await expect.poll(() => second.received(), { timeout: 5000 }).toContain('to="localhost"');
    await session.stop();
  });

  it("stops after a few hops instead of bouncing forever", async () => {
    const loop = await fakeTlsServer(certs, {
      onData: (socket, chunk) => {
        if (!chunk.includes("<stream:stream")) return;
        socket.write(
          `${STREAM_HEADER}<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>localhost:${loop.port}</see-other-host></stream:error></stream:stream>`,
        );
      },
    });
    servers.push(loop);
    const session = sessionTo(loop.port);
    const error = (await session.start().catch((failure: unknown) => failure)) as WrenError;
    expect(error.name).toBe("WrenError");
    expect(loop.received().split("<stream:stream").length - 1).toBe(4);
    await session.stop();
  });
});
