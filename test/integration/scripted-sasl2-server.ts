import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { endPointHash } from "../../main/core/sasl/channel-binding";
import { ensureTestCertificates } from "../setup/certs";
import { testScramServer, type TestScramServer } from "../unit/core/sasl/scram-server";
import { fakeTlsServer, STREAM_HEADER, type Recorded } from "./fake-server";

// A scriptable XEP-0388 server for what a real one will not do on purpose: forge its SCRAM
// signature or its FAST proof, refuse a token, ask for a task. Direct TLS with the test CA's
// certificate. It offers SASL2 (and RFC 6120 SASL beside it, as Prosody does, which it never
// answers), optionally Bind2 and FAST inline, and after <success/> the stream features of the
// authenticated stream — without a restart, as XEP-0388 says.

const NS_SASL2 = "urn:xmpp:sasl:2";
const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const ACCOUNT = "alice@localhost";

export interface Sasl2Script {
  password: string;
  /** SASL2 mechanisms; SCRAM-SHA-256 unless told. */
  mechanisms?: string[];
  /** Offers Bind2 inline. */
  bind2?: boolean;
  /** After Bind2 bound, still offers RFC 6120 binding (XEP-0386 allows that). */
  legacyBindAfterBind2?: boolean;
  /** FAST mechanisms offered inline; no FAST when absent. */
  fast?: string[];
  /** Sends a SCRAM server signature that does not match. */
  forgeSignature?: boolean;
  /** Sends a FAST server proof that does not match. */
  forgeTokenProof?: boolean;
  /** Answers a proven password with <continue/> and these tasks. */
  continueTasks?: string[];
}

export interface IssuedToken {
  mechanism: string;
  token: string;
  expiry: string;
}

export interface ScriptedSasl2Server extends Recorded {
  /** Every <authenticate/> the clients sent, in order, as received. */
  authenticates: () => { mechanism: string; request: string }[];
  /** Stream headers received: one per connection means there was no restart. */
  streamHeaders: () => number;
  /** Tokens the server handed out; the last one is the newest. */
  issued: () => IssuedToken[];
  /** Token sign-ins whose client proof matched a token of ours. */
  tokenSignIns: () => number;
}

interface Pending {
  mechanism: string;
  request: string;
  scram: TestScramServer;
}

export async function scriptedSasl2Server(script: Sasl2Script): Promise<ScriptedSasl2Server> {
  const mechanisms = script.mechanisms ?? ["SCRAM-SHA-256"];
  const authenticates: { mechanism: string; request: string }[] = [];
  const issued: IssuedToken[] = [];
  const pending = new WeakMap<TLSSocket, Pending>();
  let headers = 0;
  let tokenSignIns = 0;

  const server = await fakeTlsServer(ensureTestCertificates(), {
    onData: (socket, chunk) => {
      const tls = socket as TLSSocket;
      for (const request of splitRequests(chunk)) {
        if (request.includes("<stream:stream")) {
          headers += 1;
          tls.write(STREAM_HEADER + initialFeatures());
        } else if (request.startsWith("<authenticate ")) {
          onAuthenticate(tls, request);
        } else if (request.startsWith("<response ")) {
          onResponse(tls, request);
        } else if (request.startsWith("<auth ")) {
          tls.write(`<failure xmlns='${NS_SASL}'><aborted/></failure>`);
        } else if (request.startsWith("</stream:stream")) {
          tls.end("</stream:stream>");
        } else if (request.startsWith("<iq ")) {
          onIq(tls, request);
        }
      }
    },
  });

  function initialFeatures(): string {
    const list = mechanisms.map((name) => `<mechanism>${name}</mechanism>`).join("");
    const inline = [
      script.bind2 ? "<bind xmlns='urn:xmpp:bind:0'/>" : "",
      script.fast
        ? `<fast xmlns='urn:xmpp:fast:0'>${script.fast.map((name) => `<mechanism>${name}</mechanism>`).join("")}</fast>`
        : "",
    ].join("");
    return (
      "<stream:features>" +
      `<authentication xmlns='${NS_SASL2}'>${list}${inline ? `<inline>${inline}</inline>` : ""}</authentication>` +
      `<mechanisms xmlns='${NS_SASL}'>${list}</mechanisms>` +
      "</stream:features>"
    );
  }

  function onAuthenticate(socket: TLSSocket, request: string): void {
    const mechanism = /^<authenticate [^>]*mechanism="([^"]+)"/.exec(request)?.[1] ?? "";
    authenticates.push({ mechanism, request });
    const initial = Buffer.from(
      /<initial-response>([^<]*)<\/initial-response>/.exec(request)?.[1] ?? "",
      "base64",
    );
    if (mechanism.startsWith("HT-SHA-256-")) return onToken(socket, mechanism, request, initial);
    if (!mechanisms.includes(mechanism)) return fail(socket, "invalid-mechanism");
    const hash = mechanism.startsWith("SCRAM-SHA-256") ? "sha256" : "sha1";
    const scram = testScramServer({ hash, password: script.password, salt: randomBytes(16) });
    pending.set(socket, { mechanism, request, scram });
    socket.write(
      `<challenge xmlns='${NS_SASL2}'>${scram.first(initial).toString("base64")}</challenge>`,
    );
  }

  function onResponse(socket: TLSSocket, response: string): void {
    const state = pending.get(socket);
    pending.delete(socket);
    if (!state) return fail(socket, "malformed-request");
    const data = Buffer.from(/>([^<]*)<\/response>/.exec(response)?.[1] ?? "", "base64");
    const { serverFinal, proofValid } = state.scram.final(data);
    if (!proofValid) return fail(socket, "not-authorized");
    if (script.continueTasks) {
      const tasks = script.continueTasks.map((task) => `<task>${task}</task>`).join("");
      socket.write(
        `<continue xmlns='${NS_SASL2}'><additional-data>${serverFinal.toString("base64")}</additional-data>` +
          `<tasks>${tasks}</tasks><text>This account requires 2FA</text></continue>`,
      );
      return;
    }
    const proof = script.forgeSignature
      ? Buffer.from(`v=${randomBytes(32).toString("base64")}`)
      : serverFinal;
    succeed(socket, state.request, proof);
  }

  function onToken(socket: TLSSocket, mechanism: string, request: string, initial: Buffer): void {
    const separator = initial.indexOf(0);
    const username = initial.subarray(0, separator).toString("utf8");
    const proof = initial.subarray(separator + 1);
    const cb = bindingData(socket, mechanism);
    const token = issued.find(
      (candidate) =>
        candidate.mechanism === mechanism &&
        Date.parse(candidate.expiry) > Date.now() &&
        matches(proof, mac(candidate.token, "Initiator", cb)),
    );
    if (!script.fast?.includes(mechanism) || !request.includes('<fast xmlns="urn:xmpp:fast:0"')) {
      return fail(socket, "invalid-mechanism");
    }
    if (separator < 0 || username !== "alice" || !token) return fail(socket, "credentials-expired");
    tokenSignIns += 1;
    const responder = script.forgeTokenProof ? randomBytes(32) : mac(token.token, "Responder", cb);
    succeed(socket, request, responder);
  }

  function succeed(socket: TLSSocket, request: string, additionalData: Buffer): void {
    const bound = Boolean(script.bind2) && request.includes('<bind xmlns="urn:xmpp:bind:0">');
    const identifier = bound ? `${ACCOUNT}/Wren.${randomBytes(4).toString("hex")}` : ACCOUNT;
    const requested = /<request-token xmlns="urn:xmpp:fast:0" mechanism="([^"]+)"/.exec(
      request,
    )?.[1];
    let token = "";
    if (requested && script.fast?.includes(requested)) {
      const fresh = {
        mechanism: requested,
        token: randomBytes(24).toString("base64url"),
        expiry: new Date(Date.now() + 86_400_000).toISOString(),
      };
      issued.push(fresh);
      token = `<token xmlns='urn:xmpp:fast:0' expiry='${fresh.expiry}' token='${fresh.token}'/>`;
    }
    const legacyBind = !bound || script.legacyBindAfterBind2;
    socket.write(
      `<success xmlns='${NS_SASL2}'>` +
        `<additional-data>${additionalData.toString("base64")}</additional-data>` +
        `<authorization-identifier>${identifier}</authorization-identifier>` +
        `${bound ? "<bound xmlns='urn:xmpp:bind:0'/>" : ""}${token}</success>` +
        `<stream:features>${legacyBind ? `<bind xmlns='${NS_BIND}'/>` : ""}</stream:features>`,
    );
  }

  function fail(socket: TLSSocket, condition: string): void {
    socket.write(
      `<failure xmlns='${NS_SASL2}'><${condition} xmlns='${NS_SASL}'/><text>scripted</text></failure>`,
    );
  }

  function onIq(socket: TLSSocket, request: string): void {
    const id = /^<iq [^>]*id="([^"]+)"/.exec(request)?.[1] ?? "";
    if (request.includes(NS_BIND)) {
      socket.write(
        `<iq type='result' id='${id}'><bind xmlns='${NS_BIND}'><jid>${ACCOUNT}/wren</jid></bind></iq>`,
      );
      return;
    }
    const to = /^<iq [^>]*to="([^"]+)"/.exec(request)?.[1];
    socket.write(`<iq type='result' id='${id}'${to ? ` from='${to}'` : ""}/>`);
  }

  return Object.assign(server, {
    authenticates: () => [...authenticates],
    streamHeaders: () => headers,
    issued: () => [...issued],
    tokenSignIns: () => tokenSignIns,
  });
}

/** The server's end of the channel binding a HT-SHA-256 mechanism names. */
function bindingData(socket: TLSSocket, mechanism: string): Buffer {
  if (mechanism === "HT-SHA-256-EXPR") {
    return socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0));
  }
  if (mechanism === "HT-SHA-256-ENDP")
    return endPointHash((socket.getCertificate() as PeerCertificate).raw);
  return Buffer.alloc(0);
}

function mac(token: string, role: string, cb: Buffer): Buffer {
  return createHmac("sha256", Buffer.from(token, "utf8"))
    .update(Buffer.concat([Buffer.from(role, "utf8"), cb]))
    .digest();
}

function matches(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The client's top-level elements in one chunk (xmpp.js writes each in one piece). */
function splitRequests(chunk: string): string[] {
  return chunk
    .split(
      /(?=<(?:\?xml|stream:stream|authenticate |response |auth |iq |presence|message|\/stream:stream))/,
    )
    .map((part) => part.trim())
    .filter(Boolean);
}
