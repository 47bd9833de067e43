import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { ensureTestCertificates } from "../setup/certs";
import { fakeTlsServer, STREAM_HEADER, type Recorded } from "./fake-server";

// A small, deliberately scriptable XMPP server for the sign-in steps a real server would never get
// wrong on purpose: a SCRAM exchange with a foreign nonce, a weak iteration count or a forged
// signature, a PLAIN-only offer, a downgraded mechanism list. Direct TLS with the test CA's
// certificate; after SASL it binds a resource and answers every IQ, so a sign-in can complete.

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

export interface SaslScript {
  mechanisms: string[];
  /** XEP-0440 channel-binding types to advertise, if any. */
  channelBindings?: string[];
  password: string;
  iterations?: number;
  /** Replaces the server nonce's required prefix (the client's nonce) with something else. */
  foreignNonce?: boolean;
  /** Sends a server signature that does not match. */
  forgeSignature?: boolean;
  /** Extra attributes appended to server-first-message, e.g. "d=…" (XEP-0474). */
  serverFirstExtra?: (mechanism: string) => string;
}

export interface ScriptedServer extends Recorded {
  /** The mechanisms the client asked for, in order. */
  authAttempts: () => string[];
}

export async function scriptedSaslServer(script: SaslScript): Promise<ScriptedServer> {
  const attempts: string[] = [];
  const salt = randomBytes(16);
  const iterations = script.iterations ?? 4096;
  const states = new WeakMap<object, ScramState>();

  const server = await fakeTlsServer(ensureTestCertificates(), {
    onData: (socket, chunk) => {
      const tls = socket as TLSSocket;
      for (const request of splitRequests(chunk)) {
        if (request.startsWith("<stream:stream") || request.startsWith("<?xml")) {
          if (request.includes("<stream:stream")) tls.write(STREAM_HEADER + features(tls));
          continue;
        }
        const auth = /^<auth [^>]*mechanism="([^"]+)"[^>]*>([^<]*)<\/auth>/.exec(request);
        if (auth) {
          attempts.push(auth[1]!);
          onAuth(tls, auth[1]!, Buffer.from(auth[2]!, "base64").toString());
          continue;
        }
        const response = /^<response [^>]*>([^<]*)<\/response>/.exec(request);
        if (response) {
          onResponse(tls, Buffer.from(response[1]!, "base64").toString());
          continue;
        }
        if (request.startsWith("</stream:stream")) {
          tls.end("</stream:stream>");
          continue;
        }
        const iq = /^<iq [^>]*id="([^"]+)"/.exec(request);
        if (iq) onIq(tls, request, iq[1]!);
      }
    },
  });

  const authenticated = new WeakSet<object>();

  function features(socket: TLSSocket): string {
    if (authenticated.has(socket)) {
      return "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>";
    }
    const mechanisms = script.mechanisms.map((name) => `<mechanism>${name}</mechanism>`).join("");
    const bindings = script.channelBindings
      ? `<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>${script.channelBindings
          .map((type) => `<channel-binding type='${type}'/>`)
          .join("")}</sasl-channel-binding>`
      : "";
    return `<stream:features><mechanisms xmlns='${NS_SASL}'>${mechanisms}</mechanisms>${bindings}</stream:features>`;
  }

  function onAuth(socket: TLSSocket, mechanism: string, initial: string): void {
    if (mechanism === "PLAIN") {
      const [, , password] = initial.split("\0");
      succeed(socket, password === script.password ? "" : null);
      return;
    }
    const hash = mechanism.startsWith("SCRAM-SHA-256") ? "sha256" : "sha1";
    const bare = initial.slice(initial.indexOf(",", initial.indexOf(",") + 1) + 1);
    const clientNonce = /(?:^|,)r=([^,]+)/.exec(bare)?.[1] ?? "";
    const nonce = `${script.foreignNonce ? "someone-else" : clientNonce}${randomBytes(12).toString("base64")}`;
    const serverFirst = `r=${nonce},s=${salt.toString("base64")},i=${iterations}${script.serverFirstExtra?.(mechanism) ?? ""}`;
    states.set(socket, { hash, bare, serverFirst });
    challenge(socket, serverFirst);
  }

  function onResponse(socket: TLSSocket, clientFinal: string): void {
    const state = states.get(socket);
    if (!state) return fail(socket);
    const { hash, bare, serverFirst } = state;
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(",p="));
    const authMessage = `${bare},${serverFirst},${withoutProof}`;
    const salted = pbkdf2Sync(script.password, salt, iterations, hash === "sha256" ? 32 : 20, hash);
    const clientKey = hmac(hash, salted, "Client Key");
    const storedKey = createHash(hash).update(clientKey).digest();
    const signature = hmac(hash, storedKey, authMessage);
    const proof = Buffer.from(clientFinal.slice(clientFinal.lastIndexOf(",p=") + 3), "base64");
    const expected = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
    if (!proof.equals(expected)) return fail(socket);
    const serverSignature = script.forgeSignature
      ? randomBytes(hash === "sha256" ? 32 : 20)
      : hmac(hash, hmac(hash, salted, "Server Key"), authMessage);
    succeed(socket, `v=${serverSignature.toString("base64")}`);
  }

  function onIq(socket: TLSSocket, request: string, id: string): void {
    if (request.includes("urn:ietf:params:xml:ns:xmpp-bind")) {
      socket.write(
        `<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>alice@localhost/wren</jid></bind></iq>`,
      );
    } else if (request.includes("jabber:iq:roster")) {
      socket.write(`<iq type='result' id='${id}'><query xmlns='jabber:iq:roster'/></iq>`);
    } else {
      // Answered as whoever it was sent to, as a real server does (Wren checks that).
      const to = /^<iq [^>]*to="([^"]+)"/.exec(request)?.[1];
      socket.write(`<iq type='result' id='${id}'${to ? ` from='${to}'` : ""}/>`);
    }
  }

  function challenge(socket: TLSSocket, data: string): void {
    socket.write(
      `<challenge xmlns='${NS_SASL}'>${Buffer.from(data).toString("base64")}</challenge>`,
    );
  }

  function succeed(socket: TLSSocket, data: string | null): void {
    if (data === null) return fail(socket);
    authenticated.add(socket);
    const payload = data ? Buffer.from(data).toString("base64") : "";
    socket.write(`<success xmlns='${NS_SASL}'>${payload}</success>`);
  }

  function fail(socket: TLSSocket): void {
    socket.write(`<failure xmlns='${NS_SASL}'><not-authorized/></failure>`);
  }

  return Object.assign(server, { authAttempts: () => [...attempts] });
}

interface ScramState {
  hash: "sha1" | "sha256";
  bare: string;
  serverFirst: string;
}

function hmac(hash: string, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data).digest();
}

/** The client's top-level elements in one chunk (xmpp.js writes each in one piece). */
function splitRequests(chunk: string): string[] {
  return chunk
    .split(/(?=<(?:\?xml|stream:stream|auth |response |iq |presence|message|\/stream:stream))/)
    .map((part) => part.trim())
    .filter(Boolean);
}
