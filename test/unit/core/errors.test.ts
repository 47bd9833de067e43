import { describe, expect, it } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import { isRetryable, isWorthAnotherAddress, toWrenError } from "../../../main/core/errors";
import { SaslSecurityError } from "../../../main/core/sasl/mechanism";
import { CertificateError } from "../../../main/core/transport/certificate";

const context = { domain: "example.org", host: "xmpp.example.net" };

function nodeError(code: string, message = code) {
  return Object.assign(new Error(message), { code });
}
function xmppError(name: string, condition: string, text = "") {
  return Object.assign(new Error(`${condition} - ${text}`), { name, condition, text });
}

describe("toWrenError", () => {
  it("keeps WrenErrors as they are", () => {
    const error = new WrenError("tls-required", "no");
    expect(toWrenError(error, context)).toBe(error);
  });

  it("maps SASL not-authorized to auth-failed", () => {
    const error = toWrenError(xmppError("SASLError", "not-authorized"), context);
    expect(error.code).toBe("auth-failed");
    expect(error.message).toMatch(/password/);
  });

  it("maps other SASL failures to auth-failed with the condition", () => {
    const error = toWrenError(xmppError("SASLError", "temporary-auth-failure"), context);
    expect(error.code).toBe("auth-failed");
    expect(error.message).toContain("temporary-auth-failure");
  });

  it.each(["ENOTFOUND", "EAI_AGAIN"])("maps %s to host-not-found", (code) => {
    const error = toWrenError(nodeError(code), context);
    expect(error.code).toBe("host-not-found");
    expect(error.message).toContain("xmpp.example.net");
  });

  it("maps ECONNREFUSED to connection-refused", () => {
    expect(toWrenError(nodeError("ECONNREFUSED"), context).code).toBe("connection-refused");
  });

  it.each([
    "CERT_HAS_EXPIRED",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ])("maps %s to certificate-invalid", (code) => {
    const error = toWrenError(nodeError(code, "certificate problem"), context);
    expect(error.code).toBe("certificate-invalid");
    expect(error.message).toContain("example.org");
  });

  it("maps stream errors to stream-closed with the condition and text as plain text", () => {
    const error = toWrenError(
      xmppError("StreamError", "conflict", "Replaced by\u0000 new <connection>"),
      context,
    );
    expect(error.code).toBe("stream-closed");
    expect(error.message).toBe(
      "The server closed the connection: conflict (Replaced by  new <connection>)",
    );
  });

  it("maps timeouts to timeout", () => {
    const timeout = Object.assign(new Error("timeout"), { name: "TimeoutError" });
    expect(toWrenError(timeout, context).code).toBe("timeout");
    expect(toWrenError(nodeError("ETIMEDOUT"), context).code).toBe("timeout");
  });

  it("maps a refused STARTTLS and TLS handshake failures to tls-required", () => {
    expect(toWrenError(new Error("STARTTLS_FAILURE"), context).code).toBe("tls-required");
    expect(toWrenError(nodeError("ERR_SSL_WRONG_VERSION_NUMBER"), context).code).toBe(
      "tls-required",
    );
  });

  it("maps a reset connection to stream-closed", () => {
    expect(toWrenError(nodeError("ECONNRESET"), context).code).toBe("stream-closed");
  });

  it("maps stanza errors to not-available", () => {
    const error = toWrenError(xmppError("StanzaError", "forbidden"), context);
    expect(error.code).toBe("not-available");
    expect(error.message).toContain("forbidden");
  });

  it("maps anything else to internal, without leaking its message", () => {
    const error = toWrenError(new TypeError("x is undefined at foo.js:1"), context);
    expect(error.code).toBe("internal");
    expect(error.message).not.toContain("foo.js");
    expect(toWrenError("a string", context).code).toBe("internal");
    expect(toWrenError(undefined, context).code).toBe("internal");
  });

  it("keeps the cause for the log", () => {
    const cause = nodeError("ECONNREFUSED");
    expect(toWrenError(cause, context).cause).toBe(cause);
  });
});

describe("isWorthAnotherAddress", () => {
  it("is true only for errors another address could fix", () => {
    expect(isWorthAnotherAddress(new WrenError("connection-refused", ""))).toBe(true);
    expect(isWorthAnotherAddress(new WrenError("host-not-found", ""))).toBe(true);
    expect(isWorthAnotherAddress(new WrenError("auth-failed", ""))).toBe(false);
    expect(isWorthAnotherAddress(new WrenError("certificate-invalid", ""))).toBe(false);
    expect(isWorthAnotherAddress(new WrenError("tls-required", ""))).toBe(false);
  });
});

describe("errors of Wren's own checks", () => {
  it("explains a stream Wren closed because of what the server sent", () => {
    const error = toWrenError(
      Object.assign(new Error("restricted-xml: DOCTYPE"), {
        name: "StreamParseError",
        condition: "restricted-xml",
        text: "DOCTYPE is not allowed",
      }),
      { domain: "example.org" },
    );
    expect(error.code).toBe("stream-closed");
    expect(error.message).toBe(
      "The server for example.org sent data that XMPP does not allow (restricted-xml (DOCTYPE is not allowed)), so Wren closed the connection.",
    );
  });

  it("keeps a refused certificate's details for the person", () => {
    const certificate = {
      subject: "CN=x",
      issuer: "CN=x",
      validFrom: "",
      validTo: "",
      fingerprint: "AA",
      names: [],
      problem: "The certificate is self-signed.",
    };
    const untrusted = toWrenError(new CertificateError("certificate-untrusted", certificate), {
      domain: "example.org",
    });
    expect(untrusted.toUserError()).toMatchObject({ code: "certificate-untrusted", certificate });
    expect(isRetryable(untrusted)).toBe(false);
    const changed = toWrenError(new CertificateError("certificate-changed", certificate), {
      domain: "example.org",
    });
    expect(changed.code).toBe("certificate-changed");
    expect(changed.message).toMatch(/different certificate/);
  });

  it("maps SASL security refusals to their own codes, which need the person", () => {
    const downgrade = toWrenError(new SaslSecurityError("sasl-downgrade", "weaker"), {
      domain: "example.org",
    });
    expect(downgrade).toMatchObject({ code: "auth-downgrade", message: "weaker" });
    const unverified = toWrenError(new SaslSecurityError("sasl-server-unverified", "fake"), {
      domain: "example.org",
    });
    expect(unverified.code).toBe("auth-server-unverified");
    expect(isRetryable(downgrade) || isRetryable(unverified)).toBe(false);
  });
});
