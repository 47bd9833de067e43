import { afterEach, describe, expect, it } from "vitest";
import type { WrenError } from "../../main/shared/errors";
import { downgradeProtectionHash } from "../../main/core/sasl/downgrade-protection";
import { createSession } from "../../main/core/account-runtime";
import type { AccountSecurity } from "../../main/core/session-api";
import { scriptedSaslServer, type SaslScript, type ScriptedServer } from "./scripted-sasl-server";

// What stock xmpp.js got wrong, reproduced by a scripted server: it signed in with PLAIN when SCRAM
// was on offer too, never checked SCRAM's nonce, iteration count or server signature (a server that
// knew nothing about the password got it online), and had no idea of a downgrade.

const PASSWORD = "correct horse battery staple";
const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(script: Partial<SaslScript>): Promise<ScriptedServer> {
  const server = await scriptedSaslServer({
    mechanisms: ["SCRAM-SHA-1"],
    password: PASSWORD,
    ...script,
  });
  servers.push(server);
  return server;
}

function session(server: ScriptedServer, security: AccountSecurity = {}) {
  return createSession({
    jid: "alice@localhost",
    password: PASSWORD,
    host: "127.0.0.1",
    port: server.port,
    directTls: true,
    security,
  });
}

async function refused(server: ScriptedServer, security?: AccountSecurity): Promise<WrenError> {
  const attempt = session(server, security);
  const error = (await attempt.start().then(
    () => null,
    (failure: unknown) => failure,
  )) as WrenError | null;
  await attempt.stop();
  expect(error).not.toBeNull();
  expect(attempt.state().state).toBe("offline");
  return error!;
}

describe("SCRAM that verifies the server", () => {
  it.each([
    ["SCRAM-SHA-1", "TLSv1.3"],
    ["SCRAM-SHA-256", "TLSv1.3"],
  ])("signs in with %s when the server proves it knows the password", async (mechanism) => {
    const server = await serve({ mechanisms: ["PLAIN", mechanism] });
    const online = session(server);
    await online.start();
    expect(online.state().security).toMatchObject({ mechanism, warning: null });
    expect(server.authAttempts()).toEqual([mechanism]);
    await online.stop();
  });

  it("refuses a server nonce that does not extend ours, before sending a proof", async () => {
    const server = await serve({ foreignNonce: true });
    const error = await refused(server);
    expect(error.code).toBe("auth-server-unverified");
    await server.clientsGone(); // Wren hung up: nothing more can come
    expect(server.received()).not.toContain("<response");
  });

  it("refuses an iteration count below 4096, before sending a proof", async () => {
    const server = await serve({ iterations: 1 });
    const error = await refused(server);
    expect(error.code).toBe("auth-server-unverified");
    expect(error.message).toMatch(/4096|iteration/i);
    await server.clientsGone(); // Wren hung up: nothing more can come
    expect(server.received()).not.toContain("<response");
  });

  it("refuses a server whose signature is wrong, and goes no further", async () => {
    const server = await serve({ forgeSignature: true });
    const error = await refused(server);
    expect(error.code).toBe("auth-server-unverified");
    // No stream restart, no resource binding: the session ended at <success/>.
    expect(server.received().split("<stream:stream").length - 1).toBe(1);
    await server.clientsGone(); // Wren hung up: nothing more can come
    expect(server.received()).not.toContain("xmpp-bind");
  });
});

describe("choosing a mechanism", () => {
  it("uses PLAIN only when nothing better is offered, and says so", async () => {
    const server = await serve({ mechanisms: ["PLAIN"] });
    const online = session(server);
    await online.start();
    expect(online.state().security?.mechanism).toBe("PLAIN");
    expect(online.state().security?.warning).toMatch(/plain passwords/);
    await online.stop();
  });

  it("refuses a downgrade below the pinned mechanism without sending <auth>", async () => {
    const server = await serve({ mechanisms: ["PLAIN", "SCRAM-SHA-1"] });
    const error = await refused(server, {
      mechanismPin: { mechanism: "SCRAM-SHA-256", channelBinding: false },
    });
    expect(error.code).toBe("auth-downgrade");
    expect(error.message).toMatch(/SCRAM-SHA-256/);
    await server.clientsGone(); // Wren hung up: nothing more can come
    expect(server.received()).not.toContain("<auth");
  });

  it("pins the strongest mechanism seen on first sign-in", async () => {
    const server = await serve({ mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256"] });
    const online = session(server);
    const pins: unknown[] = [];
    online.on("mechanismPinned", (pin) => pins.push(pin));
    await online.start();
    expect(pins).toEqual([{ mechanism: "SCRAM-SHA-256", channelBinding: false }]);
    await online.stop();
  });

  it("checks XEP-0474 downgrade protection: a list the server did not offer is refused", async () => {
    // The server claims (in SCRAM) to have offered SCRAM-SHA-256-PLUS too: an attacker removed it.
    const claimed = { mechanisms: ["SCRAM-SHA-1", "SCRAM-SHA-256-PLUS"], channelBindings: null };
    const server = await serve({
      serverFirstExtra: () => `,h=${downgradeProtectionHash("sha1", claimed)}`,
    });
    const error = await refused(server);
    expect(error.code).toBe("auth-downgrade");
  });

  it("accepts XEP-0474 downgrade protection that matches what was offered", async () => {
    const offered = { mechanisms: ["SCRAM-SHA-1"], channelBindings: null };
    const server = await serve({
      serverFirstExtra: () => `,h=${downgradeProtectionHash("sha1", offered)}`,
    });
    const online = session(server);
    await online.start();
    expect(online.state().state).toBe("online");
    await online.stop();
  });
});
