import { afterEach, describe, expect, it } from "vitest";
import { xml } from "@xmpp/client";
import type { AuthOutcome } from "../../main/core/auth/credentials";
import type { FastToken } from "../../main/core/auth/fast-token";
import { useSasl } from "../../main/core/auth/sasl-feature";
import { useSasl2, type Sasl2Credentials } from "../../main/core/auth/sasl2-feature";
import { toWrenError } from "../../main/core/errors";
import { createSession } from "../../main/core/account-runtime";
import type { MechanismPin } from "../../main/core/sasl/choose-mechanism";
import { createEntity, type WrenEntity } from "../../main/core/transport/create-entity";
import { scriptedSaslServer } from "./scripted-sasl-server";
import {
  scriptedSasl2Server,
  type Sasl2Script,
  type ScriptedSasl2Server,
} from "./scripted-sasl2-server";

// XEP-0388 SASL2 with Bind2 (XEP-0386) and FAST (XEP-0484), against a scripted server, through
// the same entity Wren signs in with: useSasl2 first, RFC 6120 SASL after it, so the fallback is
// the real one.

const PASSWORD = "correct horse battery staple";
const FAST_MECHANISMS = ["HT-SHA-256-NONE", "HT-SHA-256-ENDP", "HT-SHA-256-EXPR"];
const DAY = 86_400_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Newest first: a client stops before its server goes away.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function serve(script: Partial<Sasl2Script>): Promise<ScriptedSasl2Server> {
  const server = await scriptedSasl2Server({ password: PASSWORD, ...script });
  cleanups.push(() => server.close());
  return server;
}

interface SignInOptions {
  /** Passes FAST options with this kept token (null: none kept yet). */
  token?: FastToken | null;
  pin?: MechanismPin;
  password?: string;
  /** Runs on the entity before it connects. */
  prepare?: (entity: WrenEntity) => void;
}

interface SignIn {
  entity: WrenEntity;
  outcomes: AuthOutcome[];
  tokens: FastToken[];
  invalidated: () => number;
  /** null once online; the error otherwise. */
  result: unknown;
}

async function signIn(port: number, options: SignInOptions = {}): Promise<SignIn> {
  const outcomes: AuthOutcome[] = [];
  const tokens: FastToken[] = [];
  let invalidated = 0;
  const credentials: Sasl2Credentials = {
    username: "alice",
    password: options.password ?? PASSWORD,
    certificate: false,
    domain: "localhost",
    pin: options.pin ?? null,
    fast:
      options.token === undefined
        ? undefined
        : {
            token: options.token,
            onToken: (token) => tokens.push(token),
            onTokenInvalid: () => invalidated++,
          },
  };
  const service = `xmpps://127.0.0.1:${port}`;
  const entity = createEntity({
    service,
    domain: "localhost",
    resource: "wren",
    policy: { domain: "localhost", pinnedFingerprint: null },
    timeout: 5000,
    onInsecure: (error) => entity.emit("error", error),
    authenticate: ({ streamFeatures, entity }) => {
      useSasl2(streamFeatures, credentials, (outcome) => outcomes.push(outcome), {
        entity,
        resource: "wren",
      });
      useSasl(streamFeatures, credentials, (outcome) => outcomes.push(outcome));
    },
  });
  cleanups.push(() => entity.stop());
  options.prepare?.(entity);
  const settled = new Promise<unknown>((resolve) => {
    entity.once("online", () => resolve(null));
    entity.once("error", resolve);
  });
  const result = await (async () => {
    await entity.connect(service);
    // open() listens for the server's header only once its own is written; a local server can
    // answer (and the whole sign-in end) before that. "online" or "error" says all we need.
    entity.open({ domain: "localhost" }).catch(() => {});
    return settled;
  })().catch((error: unknown) => error);
  return { entity, outcomes, tokens, invalidated: () => invalidated, result };
}

describe("SASL2 with Bind2", () => {
  it("goes online from <success/>: no stream restart, no RFC 6120 binding", async () => {
    const server = await serve({ bind2: true, legacyBindAfterBind2: true });
    const { entity, outcomes, result } = await signIn(server.port);
    expect(result).toBeNull();
    expect(entity.status).toBe("online");
    expect(entity.jid?.toString()).toMatch(/^alice@localhost\/Wren\.[0-9a-f]+$/);
    expect(outcomes).toEqual([
      {
        mechanism: "SCRAM-SHA-256",
        channelBinding: null,
        plainWarning: false,
        pin: { mechanism: "SCRAM-SHA-256", channelBinding: false },
      },
    ]);
    const [authenticate] = server.authenticates();
    expect(authenticate?.request).toContain('<bind xmlns="urn:xmpp:bind:0"><tag>Wren</tag></bind>');
    expect(authenticate?.request).toMatch(
      /<user-agent id="[0-9a-f-]{36}"><software>Wren<\/software><\/user-agent>/,
    );
    // The server offered RFC 6120 binding again after <success/>; the session did not use it.
    await entity.iqCaller.request(pingTo("localhost"));
    expect(server.streamHeaders()).toBe(1);
    expect(server.received()).not.toContain("urn:ietf:params:xml:ns:xmpp-bind");
    expect(server.received()).not.toContain("<auth ");
    // XEP-0388 §2.1: the bare JID is in the stream header.
    expect(server.received()).toMatch(/<stream:stream [^>]*from="alice@localhost"/);
  });

  it("without Bind2, binds the RFC 6120 way on the same stream", async () => {
    const server = await serve({});
    const { entity, result } = await signIn(server.port);
    expect(result).toBeNull();
    expect(entity.jid?.toString()).toBe("alice@localhost/wren");
    expect(server.streamHeaders()).toBe(1);
    expect(server.received()).toContain("urn:ietf:params:xml:ns:xmpp-bind");
  });

  it("leaves Bind2 out when a XEP-0198 session is to be resumed after authenticating", async () => {
    const server = await serve({ bind2: true });
    const { result } = await signIn(server.port, {
      prepare: (entity) => {
        entity.streamManagement.id = "earlier-session";
      },
    });
    expect(result).toBeNull();
    expect(server.authenticates()[0]?.request).not.toContain("urn:xmpp:bind:0");
  });

  it("refuses a forged SCRAM server signature in <additional-data>, and goes no further", async () => {
    const server = await serve({ bind2: true, forgeSignature: true });
    const { entity, outcomes, result } = await signIn(server.port);
    expect(result).toMatchObject({ name: "SaslSecurityError", code: "sasl-server-unverified" });
    expect(entity.status).not.toBe("online");
    expect(outcomes).toEqual([]);
    expect(entity.jid?.toString()).toBe("alice@localhost");
    expect(server.received()).not.toContain("<iq");
  });

  it("reports a wrong password as RFC 6120 SASL does", async () => {
    const server = await serve({});
    const { result } = await signIn(server.port, { password: "wrong" });
    expect(result).toMatchObject({ name: "SASLError", condition: "not-authorized" });
    expect(toWrenError(result, { domain: "localhost" })).toMatchObject({ code: "auth-failed" });
  });

  it("explains a <continue/> it cannot follow", async () => {
    const server = await serve({ continueTasks: ["TOTP-EXAMPLE"] });
    const { result } = await signIn(server.port);
    const error = toWrenError(result, { domain: "localhost" });
    expect(error.code).toBe("auth-failed");
    expect(error.message).toMatch(/TOTP-EXAMPLE.*second factor/);
  });

  it("applies the mechanism pin before sending anything", async () => {
    const server = await serve({});
    const { result } = await signIn(server.port, {
      pin: { mechanism: "SCRAM-SHA-256-PLUS", channelBinding: true },
    });
    expect(result).toMatchObject({ code: "sasl-downgrade" });
    expect(server.authenticates()).toEqual([]);
  });
});

describe("a server without SASL2", () => {
  it("gets RFC 6120 SASL, with its stream restart and resource binding", async () => {
    const server = await scriptedSaslServer({ mechanisms: ["SCRAM-SHA-256"], password: PASSWORD });
    cleanups.push(() => server.close());
    const { entity, outcomes, result } = await signIn(server.port, { token: null });
    expect(result).toBeNull();
    expect(server.authAttempts()).toEqual(["SCRAM-SHA-256"]);
    expect(server.received()).not.toContain("<authenticate");
    expect(server.received().split("<stream:stream").length - 1).toBe(2);
    expect(entity.jid?.toString()).toBe("alice@localhost/wren");
    expect(outcomes.map((outcome) => outcome.mechanism)).toEqual(["SCRAM-SHA-256"]);
  });
});

describe("FAST", () => {
  it("asks for a token when signing in with the password, and hands it over", async () => {
    const server = await serve({ bind2: true, fast: FAST_MECHANISMS });
    const { tokens, result } = await signIn(server.port, { token: null });
    expect(result).toBeNull();
    // TLS 1.3: the strongest binding, tls-exporter.
    expect(server.authenticates()[0]?.request).toContain(
      '<request-token xmlns="urn:xmpp:fast:0" mechanism="HT-SHA-256-EXPR"/>',
    );
    expect(tokens).toEqual(server.issued());
    expect(tokens[0]).toMatchObject({ mechanism: "HT-SHA-256-EXPR" });
  });

  it.each(FAST_MECHANISMS)("signs in next time with the %s token alone", async (mechanism) => {
    const server = await serve({ bind2: true, fast: [mechanism] });
    const first = await signIn(server.port, { token: null });
    expect(first.tokens).toHaveLength(1);
    await first.entity.stop();

    const { entity, outcomes, tokens, result } = await signIn(server.port, {
      token: first.tokens[0]!,
    });
    expect(result).toBeNull();
    expect(entity.status).toBe("online");
    const requests = server.authenticates();
    expect(requests.map((request) => request.mechanism)).toEqual(["SCRAM-SHA-256", mechanism]);
    expect(requests[1]?.request).toContain('<fast xmlns="urn:xmpp:fast:0"/>');
    expect(requests[1]?.request).not.toContain("request-token");
    // The server checked our proof, and we checked its (or signIn would have failed).
    expect(server.tokenSignIns()).toBe(1);
    expect(outcomes[0]).toMatchObject({
      mechanism,
      channelBinding: {
        "HT-SHA-256-NONE": null,
        "HT-SHA-256-ENDP": "tls-server-end-point",
        "HT-SHA-256-EXPR": "tls-exporter",
      }[mechanism],
    });
    expect(tokens).toEqual([]);
  });

  it("refuses a server that cannot prove it knows the token, and keeps the token", async () => {
    const server = await serve({ bind2: true, fast: ["HT-SHA-256-EXPR"], forgeTokenProof: true });
    const first = await signIn(server.port, { token: null });
    await first.entity.stop();

    const { entity, invalidated, result } = await signIn(server.port, {
      token: first.tokens[0]!,
    });
    expect(result).toMatchObject({ name: "SaslSecurityError", code: "sasl-server-unverified" });
    expect(entity.status).not.toBe("online");
    expect(invalidated()).toBe(0);
    // No password attempt after it.
    expect(server.authenticates().map((request) => request.mechanism)).toEqual([
      "SCRAM-SHA-256",
      "HT-SHA-256-EXPR",
    ]);
  });

  it("deletes a token the server refuses and signs in with the password on the same stream", async () => {
    const server = await serve({ bind2: true, fast: ["HT-SHA-256-NONE"] });
    const revoked = { mechanism: "HT-SHA-256-NONE", token: "revoked", expiry: future() };
    const { tokens, invalidated, result } = await signIn(server.port, { token: revoked });
    expect(result).toBeNull();
    expect(invalidated()).toBe(1);
    const requests = server.authenticates();
    expect(requests.map((request) => request.mechanism)).toEqual([
      "HT-SHA-256-NONE",
      "SCRAM-SHA-256",
    ]);
    expect(requests[1]?.request).toContain("request-token");
    expect(server.streamHeaders()).toBe(1);
    expect(tokens).toEqual(server.issued());
  });

  it("drops an expired token without sending it", async () => {
    const server = await serve({ fast: ["HT-SHA-256-NONE"] });
    const expired = {
      mechanism: "HT-SHA-256-NONE",
      token: "old",
      expiry: new Date(Date.now() - DAY).toISOString(),
    };
    const { invalidated, tokens, result } = await signIn(server.port, { token: expired });
    expect(result).toBeNull();
    expect(invalidated()).toBe(1);
    expect(server.authenticates().map((request) => request.mechanism)).toEqual(["SCRAM-SHA-256"]);
    expect(tokens).toHaveLength(1);
  });
});

function future(): string {
  return new Date(Date.now() + DAY).toISOString();
}

function pingTo(domain: string) {
  return xml("iq", { type: "get", to: domain }, xml("ping", { xmlns: "urn:xmpp:ping" }));
}

describe("a session on a SASL2 server", () => {
  it("signs in with Bind2, receives a FAST token, and signs in with it next time", async () => {
    const server = await scriptedSasl2Server({
      password: PASSWORD,
      bind2: true,
      fast: FAST_MECHANISMS,
    });
    cleanups.push(() => server.close());
    const options = {
      jid: "alice@localhost",
      password: PASSWORD,
      host: "127.0.0.1",
      port: server.port,
      directTls: true,
    };
    const tokens: (FastToken | null)[] = [];
    const first = createSession(options);
    first.on("fastToken", (token) => tokens.push(token));
    await first.start();
    expect(first.state()).toMatchObject({
      state: "online",
      security: { mechanism: "SCRAM-SHA-256" },
    });
    expect(server.streamHeaders()).toBe(1);
    await first.stop();
    expect(tokens).toHaveLength(1);

    const second = createSession({ ...options, fastToken: tokens[0] });
    await second.start();
    expect(second.state().state).toBe("online");
    expect(server.tokenSignIns()).toBe(1);
    await second.stop();
  });
});
