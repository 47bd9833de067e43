import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import {
  fetchRegistrationForm,
  RegistrationError,
  registrationError,
  submitRegistration,
  type RegistrationHandle,
} from "../../../main/core/registration";
import { FormParseError, NS_DATA_FORMS } from "../../../main/core/stanzas/data-form";
import {
  buildRegisterGet,
  buildRegisterSubmit,
  NS_REGISTER,
  parseRegisterResult,
} from "../../../main/core/stanzas/register";

const result = (...children: ReturnType<typeof xml>[]) =>
  xml("iq", { type: "result" }, xml("query", { xmlns: NS_REGISTER }, ...children));

describe("register stanzas", () => {
  it("asks for the form with an empty query", () => {
    expect(buildRegisterGet().toString()).toBe(
      '<iq type="get"><query xmlns="jabber:iq:register"/></iq>',
    );
  });

  it("turns legacy fields into required form fields, keeping the key hidden", () => {
    const form = parseRegisterResult(
      result(
        xml("instructions", {}, "Pick a name."),
        xml("username"),
        xml("password"),
        xml("email", {}, "prefilled@example.org"),
        xml("key", {}, "token-1"),
        xml("unknown-element"),
      ),
    );
    expect(form).toEqual({
      kind: "legacy",
      title: "",
      instructions: "Pick a name.",
      url: null,
      fields: [
        expect.objectContaining({ var: "username", type: "text-single", required: true }),
        expect.objectContaining({ var: "password", type: "text-private", label: "Password" }),
        expect.objectContaining({ var: "email", values: ["prefilled@example.org"] }),
        expect.objectContaining({ var: "key", type: "hidden", values: ["token-1"] }),
      ],
    });

    const submit = buildRegisterSubmit(form, {
      username: "zoe",
      password: "pw",
      email: "z@example.org",
    });
    expect(submit.toString()).toBe(
      '<iq type="set"><query xmlns="jabber:iq:register">' +
        "<username>zoe</username><password>pw</password><email>z@example.org</email>" +
        "<key>token-1</key></query></iq>",
    );
  });

  it("prefers the data form when the server sends both (XEP-0077 §6)", () => {
    const form = parseRegisterResult(
      result(
        xml("instructions", {}, "Legacy instructions"),
        xml("username"),
        xml(
          "x",
          { xmlns: NS_DATA_FORMS, type: "form" },
          xml("field", { var: "username", type: "text-single" }, xml("required")),
          xml("field", { var: "captcha", type: "text-single", label: "Type the word" }),
        ),
      ),
    );
    expect(form.kind).toBe("data-form");
    expect(form.instructions).toBe("Legacy instructions");
    expect(form.fields.map((field) => field.var)).toEqual(["username", "captcha"]);
    expect(buildRegisterSubmit(form, { username: "zoe", captcha: "bird" }).toString()).toBe(
      '<iq type="set"><query xmlns="jabber:iq:register">' +
        '<x xmlns="jabber:x:data" type="submit">' +
        '<field var="username"><value>zoe</value></field>' +
        '<field var="captcha"><value>bird</value></field></x></query></iq>',
    );
  });

  it("keeps a web address for registration only when it is http(s)", () => {
    const oob = (url: string) =>
      parseRegisterResult(result(xml("x", { xmlns: "jabber:x:oob" }, xml("url", {}, url)))).url;
    expect(oob("https://example.org/signup")).toBe("https://example.org/signup");
    expect(oob("javascript:alert(1)")).toBeNull();
    expect(oob("not a url")).toBeNull();
  });

  it("refuses an answer without a registration query", () => {
    expect(() => parseRegisterResult(xml("iq", { type: "result" }))).toThrow(FormParseError);
  });
});

describe("registrationError", () => {
  const stanzaError = (condition: string, text = "", type = "cancel") =>
    Object.assign(new Error(condition), { name: "StanzaError", condition, text, type });

  it.each([
    ["conflict", "invalid-argument", "conflict", /^That username is taken on example\.org\./],
    ["not-acceptable", "invalid-argument", "invalid-fields", /missing or invalid/],
    ["not-allowed", "not-available", "closed", /does not allow creating accounts/],
    ["forbidden", "not-available", "closed", /does not allow creating accounts/],
    ["resource-constraint", "not-available", "rate-limited", /too many new accounts/],
    ["service-unavailable", "not-available", "unsupported", /does not offer creating accounts/],
  ])("maps <%s/> to %s (%s)", (condition, code, reason, message) => {
    const error = registrationError(stanzaError(condition), "example.org");
    expect(error).toBeInstanceOf(RegistrationError);
    expect(error).toMatchObject({ code, reason });
    expect(error.message).toMatch(message);
  });

  it("treats Prosody's throttle (policy-violation, wait) as rate limiting", () => {
    const error = registrationError(
      stanzaError("policy-violation", "Too many registrations", "wait"),
      "example.org",
    );
    expect(error).toMatchObject({ code: "not-available", reason: "rate-limited" });
    expect(error.message).toContain("The server said: “Too many registrations”");
  });

  it("shows the server's text as plain, bounded text", () => {
    const error = registrationError(
      stanzaError("not-acceptable", `<b>bad</b>\u0007${"x".repeat(1000)}`),
      "example.org",
    );
    expect(error.message).toContain("“<b>bad</b> xxx");
    expect(error.message.length).toBeLessThan(500);
  });

  it("maps other failures as sign-in does", () => {
    expect(registrationError(stanzaError("internal-server-error"), "example.org")).toMatchObject({
      code: "not-available",
    });
    expect(
      registrationError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), "example.org"),
    ).toMatchObject({ code: "connection-refused" });
  });
});

describe("fetch and submit without a server", () => {
  it("rejects something that is not a server name", async () => {
    for (const domain of ["alice@example.org", "example.org/res", ""]) {
      await expect(fetchRegistrationForm({ domain, directTls: false })).rejects.toMatchObject({
        code: "invalid-argument",
      });
    }
  });

  it("rejects a handle it did not create", async () => {
    const forged = {} as RegistrationHandle;
    const error = await submitRegistration(forged, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrenError);
    expect(error).toMatchObject({ code: "invalid-argument" });
  });
});
