// What the real servers of the SASL tests offer, seen through a bare socket (no XMPP library): if
// one of these fails, the server or its configuration changed, not Wren.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect as tcpConnect, type Socket } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createClientCertificate, ensureTestCertificates } from "../setup/certs";
import { startEjabberd, type RunningEjabberd } from "./setup/ejabberd";

const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

describe("ejabberd 23.01", () => {
  let ejabberd: RunningEjabberd;

  beforeAll(async () => {
    ejabberd = await startEjabberd({ clientCertificates: true });
    await Promise.all([
      ejabberd.register("alice", "alice-secret"),
      ejabberd.register("bob", "bob-secret", ejabberd.sha256Domain),
    ]);
  }, 60_000);
  afterAll(() => ejabberd?.stop(), 30_000);

  const open = (options: Omit<StreamOptions, "port">) =>
    openStream({ ...options, port: options.directTls ? ejabberd.directTlsPort : ejabberd.c2sPort });

  it.each([
    { directTls: false, maxVersion: "TLSv1.3" },
    { directTls: false, maxVersion: "TLSv1.2" },
    { directTls: true, maxVersion: "TLSv1.3" },
  ] as const)("offers SCRAM-SHA-1-PLUS and EXTERNAL over %o", async (options) => {
    const stream = await open({ domain: ejabberd.domain, ...options });
    try {
      expect(stream.protocol).toBe(options.maxVersion);
      expect(stream.mechanisms).toEqual(
        expect.arrayContaining(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "EXTERNAL"]),
      );
      expect(stream.mechanisms).not.toContain("SCRAM-SHA-256");
      // Neither SASL2 (XEP-0388) nor XEP-0440's list of channel-binding types.
      expect(stream.features).not.toContain("urn:xmpp:sasl:2");
      expect(stream.features).not.toContain("urn:xmpp:sasl-cb:0");
    } finally {
      stream.close();
    }
  });

  it("offers only SCRAM-SHA-256 on the host that stores SHA-256 keys", async () => {
    const stream = await open({ domain: ejabberd.sha256Domain });
    try {
      expect(stream.mechanisms).toEqual(
        expect.arrayContaining(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]),
      );
      expect(stream.mechanisms).not.toContain("SCRAM-SHA-1");
      expect(await scram(stream, "SCRAM-SHA-256", "bob", "bob-secret")).toBe("success");
    } finally {
      stream.close();
    }
  });

  // ejabberd 23.01 knows only tls-unique, and computes it under TLS 1.3 too, where RFC 9266 says
  // it is undefined and tls-exporter is the one to use.
  it.each([
    { maxVersion: "TLSv1.3", binding: "tls-unique", result: "success" },
    { maxVersion: "TLSv1.3", binding: "tls-exporter", result: "failure" },
    { maxVersion: "TLSv1.2", binding: "tls-unique", result: "success" },
    { maxVersion: "TLSv1.2", binding: "tls-server-end-point", result: "failure" },
  ] as const)("SCRAM-SHA-1-PLUS over $maxVersion with $binding: $result", async (options) => {
    const stream = await open({ domain: ejabberd.domain, maxVersion: options.maxVersion });
    try {
      const result = await scram(
        stream,
        "SCRAM-SHA-1-PLUS",
        "alice",
        "alice-secret",
        options.binding,
      );
      expect(result).toBe(options.result);
    } finally {
      stream.close();
    }
  });

  it("signs in with EXTERNAL when the client certificate names the account", async () => {
    const certs = ensureTestCertificates();
    const jid = `alice@${ejabberd.domain}`;
    const clientCert = createClientCertificate(certs, jid, join(ejabberd.dir, "client-certs"));
    for (const directTls of [false, true]) {
      const stream = await open({ domain: ejabberd.domain, directTls, clientCert });
      try {
        expect(stream.mechanisms).toContain("EXTERNAL");
        stream.send(`<auth xmlns='${SASL}' mechanism='EXTERNAL'>=</auth>`);
        expect((await stream.next(/<(success|failure)\b/))[1]).toBe("success");
      } finally {
        stream.close();
      }
    }

    const anonymous = await open({ domain: ejabberd.domain });
    try {
      anonymous.send(`<auth xmlns='${SASL}' mechanism='EXTERNAL'>=</auth>`);
      expect((await anonymous.next(/<(success|failure)\b/))[1]).toBe("failure");
    } finally {
      anonymous.close();
    }
  });
});

describe("Prosody's SCRAM-SHA-256 host", () => {
  const server = inject("xmpp");
  const open = (options: Omit<StreamOptions, "port" | "domain">) =>
    openStream({ ...options, domain: server.sha256Domain, port: server.c2sPort });

  it("offers SCRAM-SHA-256 and no SHA-1; -PLUS only under TLS 1.2 (tls-unique)", async () => {
    const tls13 = await open({ maxVersion: "TLSv1.3" });
    const tls12 = await open({ maxVersion: "TLSv1.2" });
    try {
      expect(tls13.mechanisms.toSorted()).toEqual(["PLAIN", "SCRAM-SHA-256"]);
      expect(tls12.mechanisms.toSorted()).toEqual(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"]);
      expect(tls13.features).not.toContain("urn:xmpp:sasl-cb:0");
    } finally {
      tls13.close();
      tls12.close();
    }
  });

  it("signs the account registered at start-up in with SCRAM-SHA-256", async () => {
    const stream = await open({});
    try {
      const [user = ""] = server.sha256Account.jid.split("@");
      expect(await scram(stream, "SCRAM-SHA-256", user, server.sha256Account.password)).toBe(
        "success",
      );
    } finally {
      stream.close();
    }
  });
});

interface StreamOptions {
  port: number;
  domain: string;
  directTls?: boolean;
  maxVersion?: "TLSv1.2" | "TLSv1.3";
  clientCert?: { certPath: string; keyPath: string };
}

interface RawStream {
  socket: TLSSocket;
  protocol: string | null;
  /** The inside of `<stream:features>` after TLS. */
  features: string;
  mechanisms: string[];
  send(xml: string): void;
  /** Resolves with the first match of `pattern` in what arrived since the last match. */
  next(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  close(): void;
}

/** Opens a client stream, does STARTTLS unless `directTls`, and reads the features after TLS. */
async function openStream(options: StreamOptions): Promise<RawStream> {
  const header =
    `<?xml version='1.0'?><stream:stream to='${options.domain}' version='1.0' ` +
    "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
  const tlsOptions = {
    servername: options.domain,
    maxVersion: options.maxVersion ?? "TLSv1.3",
    ...(options.clientCert && {
      cert: readFileSync(options.clientCert.certPath),
      key: readFileSync(options.clientCert.keyPath),
    }),
  } as const;

  let received = "";
  let wake = () => {};
  const next = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = () => {};
        reject(new Error(`no ${pattern} in ${JSON.stringify(received)}`));
      }, timeoutMs);
      const check = () => {
        const match = received.match(pattern);
        if (!match) return;
        clearTimeout(timer);
        wake = () => {};
        received = received.slice((match.index ?? 0) + match[0].length);
        resolve(match);
      };
      wake = check;
      check();
    });
  const listen = (socket: Socket) =>
    socket.on("data", (data: Buffer) => {
      received += data.toString("utf8");
      wake();
    });
  const features = /<stream:features>([\s\S]*?)<\/stream:features>/;

  let socket: TLSSocket;
  if (options.directTls) {
    socket = tlsConnect({ host: "127.0.0.1", port: options.port, ...tlsOptions });
  } else {
    const tcp = tcpConnect(options.port, "127.0.0.1");
    listen(tcp);
    await new Promise((resolve, reject) => tcp.once("connect", resolve).once("error", reject));
    tcp.write(header);
    await next(features);
    tcp.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await next(/<proceed\b[^>]*\/>/);
    tcp.removeAllListeners("data");
    socket = tlsConnect({ socket: tcp, ...tlsOptions });
  }
  await new Promise((resolve, reject) =>
    socket.once("secureConnect", resolve).once("error", reject),
  );
  listen(socket);
  socket.write(header);
  const offered = (await next(features))[1] ?? "";
  return {
    socket,
    protocol: socket.getProtocol(),
    features: offered,
    mechanisms: [...offered.matchAll(/<mechanism>([^<]+)<\/mechanism>/g)].map((m) => m[1] ?? ""),
    send: (xml) => socket.write(xml),
    next,
    close: () => socket.destroy(),
  };
}

type ChannelBinding = "tls-unique" | "tls-exporter" | "tls-server-end-point";

/** RFC 5802 / RFC 7677 SCRAM, with the channel binding of RFC 5929 / RFC 9266 for -PLUS. */
async function scram(
  stream: RawStream,
  mechanism: string,
  user: string,
  password: string,
  binding?: ChannelBinding,
): Promise<"success" | "failure"> {
  const hash = mechanism.includes("SHA-256") ? "sha256" : "sha1";
  const gs2 = binding ? `p=${binding},,` : "n,,";
  const first = `n=${user},r=${randomBytes(18).toString("base64")}`;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  stream.send(`<auth xmlns='${SASL}' mechanism='${mechanism}'>${b64(gs2 + first)}</auth>`);
  const challenge = await stream.next(/<(challenge|failure)\b[^>]*>([\s\S]*?)<\/\1>/);
  if (challenge[1] === "failure") return "failure";

  const serverFirst = Buffer.from(challenge[2] ?? "", "base64").toString();
  const attrs = new Map(serverFirst.split(",").map((part) => [part[0], part.slice(2)]));
  const salted = pbkdf2Sync(
    password,
    Buffer.from(attrs.get("s") ?? "", "base64"),
    Number(attrs.get("i")),
    hash === "sha1" ? 20 : 32,
    hash,
  );
  const hmac = (key: Buffer, text: string) => createHmac(hash, key).update(text).digest();
  const clientKey = hmac(salted, "Client Key");
  const cbind = Buffer.concat([Buffer.from(gs2), channelBindingData(stream.socket, binding)]);
  const withoutProof = `c=${cbind.toString("base64")},r=${attrs.get("r")}`;
  const signature = hmac(
    createHash(hash).update(clientKey).digest(),
    `${first},${serverFirst},${withoutProof}`,
  );
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  stream.send(
    `<response xmlns='${SASL}'>${b64(`${withoutProof},p=${proof.toString("base64")}`)}</response>`,
  );
  const outcome = await stream.next(/<(success|failure)\b/);
  return outcome[1] === "success" ? "success" : "failure";
}

function channelBindingData(socket: TLSSocket, binding?: ChannelBinding): Buffer {
  switch (binding) {
    case undefined:
      return Buffer.alloc(0);
    case "tls-exporter":
      return socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0));
    case "tls-unique":
      // The first Finished of the handshake, which is the client's on a full handshake.
      return socket.getFinished() ?? Buffer.alloc(0);
    case "tls-server-end-point": {
      // SHA-256 for the ECDSA-SHA256 test certificate (RFC 5929 §4.1).
      const certificate = socket.getPeerX509Certificate();
      return createHash("sha256")
        .update(certificate?.raw ?? Buffer.alloc(0))
        .digest();
    }
  }
}
