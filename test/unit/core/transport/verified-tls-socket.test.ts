import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { VerifiedTlsSocket } from "../../../../main/core/transport/verified-tls-socket";

describe("VerifiedTlsSocket", () => {
  it("writes nothing before the server is verified", async () => {
    // A TCP server that never speaks TLS: the handshake never finishes, so nothing is verified.
    const received: Buffer[] = [];
    const server = createServer((socket) => socket.on("data", (data) => received.push(data)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const socket = new VerifiedTlsSocket();
    socket.on("error", () => {});
    socket.connect({
      host: "127.0.0.1",
      port,
      alpn: true,
      policy: { domain: "example.org", pinnedFingerprint: null },
    });
    const refused = await new Promise<Error | null | undefined>((resolve) =>
      socket.write("<stream:stream>", resolve),
    );
    expect(refused?.message).toMatch(/not verified/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(received).toString("latin1")).not.toContain("<stream:stream>");
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
