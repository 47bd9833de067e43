import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { WrenError } from "../../main/shared/errors";
import { createSession } from "../../main/core/account-runtime";
import type { XmppSession } from "../../main/core/session-api";
import { ensureTestCertificates } from "../setup/certs";
import { fakeTlsServer, fingerprintOf, selfSignedCertificate, type Recorded } from "./fake-server";
import { sessionPool } from "./helpers";
import { registerAccount, type TestAccount } from "./setup/accounts";

// Trust on first use: a certificate Wren cannot verify stops the connection before a byte of XMPP
// is sent and is shown to the person; trusting its fingerprint lets exactly that certificate in;
// any other certificate later is refused as "changed", even one a real authority signed.

const server = inject("xmpp");
const pool = sessionPool();
afterEach(() => pool.stopAll());

async function startError(session: XmppSession): Promise<WrenError> {
  const error = await session.start().then(
    () => null,
    (failure: unknown) => failure as WrenError,
  );
  expect(error).not.toBeNull();
  return error!;
}

function directSession(port: number, trustedCertificate?: string) {
  return pool.track(
    createSession({
      jid: "alice@localhost",
      password: "secret-password",
      host: "127.0.0.1",
      port,
      directTls: true,
      security: trustedCertificate ? { trustedCertificate } : {},
    }),
  );
}

describe("a self-signed server certificate", () => {
  const first = selfSignedCertificate("tofu-first");
  const second = selfSignedCertificate("tofu-second");
  let fake: Recorded;

  beforeAll(async () => {
    fake = await fakeTlsServer(first, {});
    return () => fake.close();
  });

  it("stops before anything is sent and shows subject, issuer, validity and fingerprint", async () => {
    const before = fake.received().length;
    const error = await startError(directSession(fake.port));
    expect(error.code).toBe("certificate-untrusted");
    expect(error.certificate).toMatchObject({
      subject: "CN=tofu-first",
      issuer: "CN=tofu-first",
      fingerprint: first.fingerprint,
      names: ["localhost", "127.0.0.1"],
      problem: expect.stringMatching(/self-signed/),
    });
    expect(Date.parse(error.certificate!.validTo)).toBeGreaterThan(Date.now());
    expect(fake.received().length).toBe(before);
  });

  it("is accepted once the person trusts its fingerprint", async () => {
    const before = fake.received().length;
    // The fake server never answers: getting as far as the stream header proves TLS was accepted.
    const attempt = directSession(fake.port, first.fingerprint).start();
    attempt.catch(() => {});
    await expect
      .poll(() => fake.received().slice(before), { timeout: 5000 })
      .toContain("<stream:stream");
  });

  it("is refused as changed when another certificate shows up for a trusted account", async () => {
    const other = await fakeTlsServer(second, {});
    try {
      const error = await startError(directSession(other.port, first.fingerprint));
      expect(error.code).toBe("certificate-changed");
      expect(error.certificate?.fingerprint).toBe(second.fingerprint);
      expect(error.message).toMatch(/different certificate/);
      expect(other.received()).toBe("");
    } finally {
      await other.close();
    }
  });
});

describe("trust on first use against the real Prosody", () => {
  let account: TestAccount;
  const { certPath } = ensureTestCertificates();
  const prosodyFingerprint = fingerprintOf(certPath);

  beforeAll(async () => {
    account = await registerAccount(
      server.configPath,
      undefined,
      undefined,
      server.uncertifiedDomain,
    );
  });

  it.each([
    ["STARTTLS", false],
    ["direct TLS", true],
  ])("signs in to a host its certificate does not name once trusted (%s)", async (_, directTls) => {
    const options = {
      jid: account.jid,
      password: account.password,
      host: server.host,
      port: directTls ? server.directTlsPort : server.c2sPort,
      directTls,
    };
    const refused = await startError(pool.track(createSession(options)));
    expect(refused.code).toBe("certificate-untrusted");
    expect(refused.certificate?.fingerprint).toBe(prosodyFingerprint);
    expect(refused.certificate?.problem).toContain(server.uncertifiedDomain);

    const trusted = pool.track(
      createSession({ ...options, security: { trustedCertificate: prosodyFingerprint } }),
    );
    await trusted.start();
    expect(trusted.state()).toMatchObject({
      state: "online",
      security: { trustedByYou: true, mechanism: "SCRAM-SHA-1" },
    });
  });

  it("refuses a CA-signed certificate that is not the pinned one", async () => {
    const other = selfSignedCertificate("tofu-pinned-elsewhere");
    const session = pool.track(
      createSession({
        jid: `${account.jid.split("@")[0]}@localhost`,
        password: account.password,
        host: server.host,
        port: server.c2sPort,
        directTls: false,
        security: { trustedCertificate: other.fingerprint },
      }),
    );
    const error = await startError(session);
    expect(error.code).toBe("certificate-changed");
    expect(error.certificate?.fingerprint).toBe(prosodyFingerprint);
  });
});
