import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "./harness/fault-proxy";

// The fault proxy itself, against a plain TCP server: what it holds stays held, what it releases
// arrives in order, and a reset is a reset.

let server: Server;
let proxy: FaultProxy;
const serverSides: Socket[] = [];

async function setUp(): Promise<void> {
  server = createServer((socket) => {
    socket.on("error", () => {}); // the resets are on purpose
    serverSides.push(socket);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  proxy = await startFaultProxy({
    host: "127.0.0.1",
    port: (server.address() as { port: number }).port,
  });
}

afterEach(async () => {
  await proxy?.close();
  for (const socket of serverSides.splice(0)) socket.destroy();
  await new Promise((done) => server?.close(done));
});

async function client(): Promise<{ socket: Socket; read: () => string; server: Socket }> {
  const linked = proxy.nextLink(5_000);
  const socket = connect(proxy.port, "127.0.0.1");
  let data = "";
  socket.on("data", (chunk) => (data += String(chunk)));
  await linked;
  await until(() => serverSides.length > 0);
  return { socket, read: () => data, server: serverSides.at(-1)! };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 200) throw new Error("timed out");
    await new Promise((done) => setTimeout(done, 10));
  }
}

describe("the fault proxy", () => {
  it("holds one direction while the other flows, then releases in order", async () => {
    await setUp();
    const { socket, read, server: far } = await client();
    const link = proxy.current()!;
    let atServer = "";
    far.on("data", (chunk) => (atServer += String(chunk)));

    link.hold("down");
    far.write("one ");
    far.write("two");
    await proxy.until("held bytes", (candidate) => candidate.waiting.down === 7);
    expect(read()).toBe(""); // forwarding is synchronous: held bytes would be there by now
    socket.write("up still flows");
    await until(() => atServer === "up still flows");

    link.release("down");
    await until(() => read() === "one two");
    expect(link.forwarded.down).toBe(7);
  });

  it("resets both sides of a connection, and refuses new ones while told to", async () => {
    await setUp();
    const { socket } = await client();
    const reset = new Promise<string>((done) => socket.on("error", (error) => done(String(error))));
    proxy.reset();
    expect(await reset).toMatch(/ECONNRESET/);

    proxy.refuse(true);
    const refused = connect(proxy.port, "127.0.0.1");
    const error = await new Promise<string>((done) => refused.on("error", (e) => done(String(e))));
    expect(error).toMatch(/ECONNRESET/);
    expect(proxy.accepted()).toBe(2);
  });

  it("slows the server's bytes down in slices, keeping their order", async () => {
    await setUp();
    const { read, server: far } = await client();
    proxy.delay(5, 3);
    far.write("abcdefghij");
    await proxy.until("the bytes taken in", (link) => link.received.down === 10);
    expect(read().length).toBeLessThan(10);
    await until(() => read() === "abcdefghij");
  });
});
