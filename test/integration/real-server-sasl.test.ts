import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { readFileSync } from "node:fs";
import { readClientCertificate } from "../../main/core/auth/client-certificate";
import { createSession } from "../../main/core/account-runtime";
import { createClientCertificate, ensureTestCertificates } from "../setup/certs";
import { sessionPool } from "./helpers";
import { startEjabberd, type RunningEjabberd } from "./setup/ejabberd";

// Wren's own SASL against real servers: SCRAM-SHA-256 on Prosody (a host storing SHA-256 keys),
// and channel binding (SCRAM-*-PLUS) on ejabberd, over STARTTLS and direct TLS alike.

const prosody = inject("xmpp");
const pool = sessionPool();
afterEach(() => pool.stopAll());

const KINDS = [
  ["STARTTLS", false],
  ["direct TLS", true],
] as const;

describe("Prosody with SCRAM-SHA-256 keys", () => {
  it.each(KINDS)("signs in with SCRAM-SHA-256 (%s) and pins it", async (_, directTls) => {
    const session = pool.track(
      createSession({
        jid: prosody.sha256Account.jid,
        password: prosody.sha256Account.password,
        host: prosody.host,
        port: directTls ? prosody.directTlsPort : prosody.c2sPort,
        directTls,
      }),
    );
    const pins: unknown[] = [];
    session.on("mechanismPinned", (pin) => pins.push(pin));
    await session.start();
    expect(session.state().security).toMatchObject({ mechanism: "SCRAM-SHA-256", tls: "TLSv1.3" });
    expect(pins).toEqual([{ mechanism: "SCRAM-SHA-256", channelBinding: false }]);
  });
});

describe.each([
  ["TLS 1.2", true],
  ["TLS 1.3", false],
])("ejabberd 23.01 over %s", (_, tls12Only) => {
  let ejabberd: RunningEjabberd;
  const password = randomBytes(9).toString("base64url");
  const users = {
    sha1: `w-${randomBytes(4).toString("hex")}`,
    sha256: `w-${randomBytes(4).toString("hex")}`,
  };

  beforeAll(async () => {
    ejabberd = await startEjabberd({ tls12Only });
    await ejabberd.register(users.sha1, password);
    await ejabberd.register(users.sha256, password, ejabberd.sha256Domain);
  }, 60_000);
  afterAll(() => ejabberd?.stop(), 30_000);

  // ejabberd 23.01 offers -PLUS but accepts only tls-unique, which exists on TLS 1.2 alone; on
  // TLS 1.3 it advertises no XEP-0440 types, so Wren does not bind there (see choose-mechanism).
  const expected = tls12Only
    ? { sha1: "SCRAM-SHA-1-PLUS", sha256: "SCRAM-SHA-256-PLUS", binding: "tls-unique" }
    : { sha1: "SCRAM-SHA-1", sha256: "SCRAM-SHA-256", binding: null };

  it.each(KINDS)(
    "signs in with the strongest SCRAM it can (%s)",
    async (_, directTls) => {
      for (const [key, domain] of [
        ["sha1", ejabberd.domain],
        ["sha256", ejabberd.sha256Domain],
      ] as const) {
        const session = pool.track(
          createSession({
            jid: `${users[key]}@${domain}`,
            password,
            host: ejabberd.host,
            port: directTls ? ejabberd.directTlsPort : ejabberd.c2sPort,
            directTls,
          }),
        );
        await session.start();
        expect(session.state().security).toMatchObject({
          mechanism: expected[key],
          channelBinding: expected.binding,
          tls: tls12Only ? "TLSv1.2" : "TLSv1.3",
        });
      }
    },
    30_000,
  );
});

describe("ejabberd 23.01 with client certificates (SASL EXTERNAL, XEP-0178)", () => {
  let ejabberd: RunningEjabberd;
  const user = `c-${randomBytes(4).toString("hex")}`;
  const other = `c-${randomBytes(4).toString("hex")}`;
  let pem: string;
  let othersPem: string;

  beforeAll(async () => {
    ejabberd = await startEjabberd({ clientCertificates: true });
    await ejabberd.register(user, randomBytes(9).toString("base64url"));
    await ejabberd.register(other, randomBytes(9).toString("base64url"));
    const certs = ensureTestCertificates();
    const dir = "test-output/client-certs";
    const read = ({ certPath, keyPath }: { certPath: string; keyPath: string }) =>
      readFileSync(certPath, "utf8") + readFileSync(keyPath, "utf8");
    pem = read(createClientCertificate(certs, `${user}@${ejabberd.domain}`, dir));
    othersPem = read(createClientCertificate(certs, `${other}@${ejabberd.domain}`, dir));
  }, 60_000);
  afterAll(() => ejabberd?.stop(), 30_000);

  function certificateSession(directTls: boolean, certificatePem: string) {
    return pool.track(
      createSession({
        jid: `${user}@${ejabberd.domain}`,
        clientCertificate: readClientCertificate(Buffer.from(certificatePem)),
        host: ejabberd.host,
        port: directTls ? ejabberd.directTlsPort : ejabberd.c2sPort,
        directTls,
      }),
    );
  }

  it.each(KINDS)("signs in with the certificate and no password (%s)", async (_, directTls) => {
    const session = certificateSession(directTls, pem);
    await session.start();
    expect(session.state().security?.mechanism).toBe("EXTERNAL");
  });

  it("is refused with another account's certificate", async () => {
    const session = certificateSession(false, othersPem);
    const error = await session.start().catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: "auth-failed", message: expect.stringContaining(other) });
  });
});
