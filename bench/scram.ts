import { createRequire } from "node:module";
import { createScram } from "../main/core/sasl/scram";
import { testScramServer } from "../test/unit/core/sasl/scram-server";

// One client-side SCRAM login at 10,000 iterations (Prosody's default): Wren's node:crypto SCRAM
// against xmpp.js's SCRAM-SHA-1 (sasl-scram-sha-1, one WebCrypto HMAC per iteration). The server
// side is precomputed, so only the client's work is timed. Wall-clock time: both run their key
// derivation asynchronously (Wren on libuv's thread pool, xmpp.js in WebCrypto).

export const ITERATIONS = 10_000;
const PASSWORD = "correct horse battery staple";

interface XmppJsScram {
  response(credentials: { username: string; password: string }): string | Promise<string>;
  challenge(serverFirst: string): unknown;
}

/** The SCRAM implementation @xmpp/client itself uses, found the way @xmpp/client finds it. */
function xmppJsScram(): new () => XmppJsScram {
  const fromHere = createRequire(import.meta.url);
  const fromClient = createRequire(fromHere.resolve("@xmpp/client/package.json"));
  const fromPackage = createRequire(fromClient.resolve("@xmpp/sasl-scram-sha-1/package.json"));
  return fromPackage("sasl-scram-sha-1") as new () => XmppJsScram;
}

const XmppJsMechanism = xmppJsScram();

export async function wrenLogin(hash: "sha1" | "sha256"): Promise<number> {
  const server = testScramServer({ hash, password: PASSWORD, iterations: ITERATIONS });
  const start = performance.now();
  const client = createScram({
    hash,
    username: "alice",
    password: PASSWORD,
    channelBinding: null,
    clientSupportsCbButServerDidNotOffer: false,
  });
  const serverFirst = server.first(client.initialResponse());
  const { serverFinal, proofValid } = server.final(await client.challenge(serverFirst));
  client.success(serverFinal);
  const ms = performance.now() - start;
  if (!proofValid) throw new Error("Wren's SCRAM proof was not accepted");
  return ms;
}

export async function xmppJsLogin(): Promise<number> {
  const server = testScramServer({ hash: "sha1", password: PASSWORD, iterations: ITERATIONS });
  const credentials = { username: "alice", password: PASSWORD };
  const start = performance.now();
  const client = new XmppJsMechanism();
  const first = await client.response(credentials);
  client.challenge(server.first(Buffer.from(first)).toString());
  const final = await client.response(credentials);
  const ms = performance.now() - start;
  if (!server.final(Buffer.from(final)).proofValid) throw new Error("xmpp.js's proof was refused");
  return ms;
}
