import { randomBytes, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { WrenError } from "../../main/shared/errors";
import {
  cancelRegistration,
  fetchRegistrationForm,
  submitRegistration,
  type RegistrationError,
  type RegistrationHandle,
} from "../../main/core/registration";
import { createSession } from "../../main/core/account-runtime";
import { ensureTestCertificates } from "../setup/certs";
import {
  answerStreamHeaders,
  fakeTcpServer,
  fakeTlsServer,
  PLAIN_ONLY_FEATURES,
  STREAM_HEADER,
  type Recorded,
} from "./fake-server";
import { sessionPool } from "./helpers";

const server = inject("xmpp");
const pool = sessionPool();
const handles: RegistrationHandle[] = [];
let fake: Recorded | null = null;

afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => cancelRegistration(handle)));
  await pool.stopAll();
  await fake?.close();
  fake = null;
});

async function fetchForm(directTls: boolean, domain = server.domain) {
  const start = await fetchRegistrationForm({
    domain,
    host: server.host,
    port: directTls ? server.directTlsPort : server.c2sPort,
    directTls,
  });
  handles.push(start.handle);
  return start;
}

async function failure(work: Promise<unknown>): Promise<RegistrationError> {
  return work.then(
    () => {
      throw new Error("succeeded but should have failed");
    },
    (error: WrenError) => error as RegistrationError,
  );
}

const newName = () => `new-${randomBytes(5).toString("hex")}`;
const newPassword = () => randomBytes(12).toString("base64url");

describe("in-band registration on Prosody", () => {
  it("fetches the form over STARTTLS, creates an account, and signs in to it", async () => {
    const { form, handle } = await fetchForm(false);

    expect(form.kind).toBe("data-form");
    expect(form.instructions).toMatch(/username and password/i);
    const visible = form.fields.filter((field) => field.type !== "hidden");
    expect(visible).toEqual([
      expect.objectContaining({ var: "username", type: "text-single", required: true }),
      expect.objectContaining({ var: "password", type: "text-private", required: true }),
    ]);
    expect(form.fields).toContainEqual(
      expect.objectContaining({ var: "FORM_TYPE", type: "hidden", values: ["jabber:iq:register"] }),
    );

    const username = newName();
    const password = newPassword();
    const created = await submitRegistration(handle, { username, password });
    expect(created).toEqual({ jid: `${username}@${server.domain}` });
    expect(handle.closed).toBe(true);

    const session = pool.track(
      createSession({
        jid: `${username}@${server.domain}`,
        password,
        host: server.host,
        port: server.c2sPort,
        directTls: false,
      }),
    );
    await session.start();
    expect(session.state().state).toBe("online");
  });

  it("says a taken username is taken, and lets the same form try another (direct TLS)", async () => {
    const taken = newName();
    const first = await fetchForm(true);
    await submitRegistration(first.handle, { username: taken, password: newPassword() });

    const { handle } = await fetchForm(true);
    const error = await failure(submitRegistration(handle, { username: taken, password: "x1" }));
    expect(error.code).toBe("invalid-argument");
    expect(error.reason).toBe("conflict");
    expect(error.message).toMatch(/^That username is taken/);
    expect(error.message).toContain("The server said: “The requested username already exists.”");
    expect(handle.closed).toBe(false);

    // Same stream, another name: Prosody does not throttle loopback, so this one goes through.
    const other = newName();
    await expect(submitRegistration(handle, { username: other, password: "x2" })).resolves.toEqual({
      jid: `${other}@${server.domain}`,
    });
  });

  it("checks required fields before sending anything", async () => {
    const { handle } = await fetchForm(false);
    const error = await failure(submitRegistration(handle, { username: newName() }));
    expect(error.code).toBe("invalid-argument");
    expect(error.reason).toBe("invalid-fields");
    expect(error.message).toContain("Fill in “Password”");
    expect(handle.closed).toBe(false);
  });

  it("refuses a certificate that does not name the domain, and goes on once it is trusted", async () => {
    const error = await failure(fetchForm(false, server.uncertifiedDomain));
    expect(error.code).toBe("certificate-untrusted");
    const fingerprint = error.certificate?.fingerprint ?? "";
    expect(fingerprint).toBe(
      new X509Certificate(readFileSync(ensureTestCertificates().certPath)).fingerprint256,
    );

    const start = await fetchRegistrationForm({
      domain: server.uncertifiedDomain,
      host: server.host,
      port: server.c2sPort,
      directTls: false,
      trustedCertificate: fingerprint,
    });
    handles.push(start.handle);
    expect(start.form.fields.length).toBeGreaterThan(0);
  });

  it("reports a submit on a closed form as expired", async () => {
    const { handle } = await fetchForm(false);
    await cancelRegistration(handle);
    const error = await failure(submitRegistration(handle, { username: "a", password: "b" }));
    expect(error.code).toBe("stream-closed");
    expect(error.reason).toBe("expired");
  });
});

// A scripted server with a XEP-0004 form asking for more than a name and a password.
const FEATURES =
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
  "<mechanism>PLAIN</mechanism></mechanisms>" +
  "<register xmlns='http://jabber.org/features/iq-register'/></stream:features>";

const EXTENDED_FORM =
  "<query xmlns='jabber:iq:register'><instructions>Use the form.</instructions>" +
  "<x xmlns='jabber:x:data' type='form'><title>Join example</title>" +
  "<instructions>Fill in every field.</instructions>" +
  "<field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>" +
  "<field type='hidden' var='challenge'><value>c-123</value></field>" +
  "<field type='fixed'><value>Accounts are free.</value></field>" +
  "<field type='text-single' var='username' label='User'><required/></field>" +
  "<field type='text-private' var='password' label='Password'><required/></field>" +
  "<field type='text-single' var='email' label='Email address'><desc>For password resets</desc>" +
  "<required/></field>" +
  "<field type='list-single' var='plan' label='Plan'><value>free</value>" +
  "<option label='Free'><value>free</value></option>" +
  "<option label='Supporter'><value>supporter</value></option></field>" +
  "</x></query>";

function idOf(chunk: string): string {
  return /\bid=["']([^"']+)["']/.exec(chunk)?.[1] ?? "";
}

function scriptedRegistrationServer(onSubmit: (socket: Socket, id: string) => void) {
  return fakeTlsServer(ensureTestCertificates(), {
    onData: (socket, chunk) => {
      if (chunk.includes("<stream:stream")) socket.write(STREAM_HEADER + FEATURES);
      if (chunk.includes("</stream:stream>")) socket.end("</stream:stream>");
      if (chunk.includes("<iq") && chunk.includes('type="get"')) {
        socket.write(`<iq type='result' id='${idOf(chunk)}'>${EXTENDED_FORM}</iq>`);
      } else if (chunk.includes("<iq") && chunk.includes('type="set"')) {
        onSubmit(socket, idOf(chunk));
      }
    },
  });
}

describe("a server that asks for extra fields through a data form", () => {
  it("parses the form and submits the values with the hidden fields echoed", async () => {
    fake = await scriptedRegistrationServer((socket, id) =>
      socket.write(`<iq type='result' id='${id}'/>`),
    );
    const { form, handle } = await fetchRegistrationForm({
      domain: "localhost",
      host: "127.0.0.1",
      port: fake.port,
      directTls: true,
    });
    handles.push(handle);

    expect(form).toEqual({
      kind: "data-form",
      title: "Join example",
      instructions: "Fill in every field.",
      url: null,
      fields: [
        field({ var: "FORM_TYPE", type: "hidden", values: ["jabber:iq:register"] }),
        field({ var: "challenge", type: "hidden", values: ["c-123"] }),
        field({ var: "", type: "fixed", values: ["Accounts are free."] }),
        field({ var: "username", type: "text-single", label: "User", required: true }),
        field({ var: "password", type: "text-private", label: "Password", required: true }),
        field({
          var: "email",
          label: "Email address",
          description: "For password resets",
          required: true,
        }),
        field({
          var: "plan",
          type: "list-single",
          label: "Plan",
          values: ["free"],
          options: [
            { label: "Free", value: "free" },
            { label: "Supporter", value: "supporter" },
          ],
        }),
      ],
    });

    const missing = await failure(
      submitRegistration(handle, { username: "zoe", password: "pw", plan: "free" }),
    );
    expect(missing.reason).toBe("invalid-fields");
    expect(missing.message).toContain("Fill in “Email address”");
    const wrongPlan = await failure(
      submitRegistration(handle, {
        username: "zoe",
        password: "pw",
        email: "zoe@example.org",
        plan: "platinum",
      }),
    );
    expect(wrongPlan.message).toContain("“Plan” must be one of the choices offered");
    expect(fake.received()).not.toContain('type="set"');

    const created = await submitRegistration(handle, {
      username: "Zoe",
      password: "pw & <more>",
      email: "zoe@example.org",
      plan: "supporter",
    });
    expect(created).toEqual({ jid: "zoe@localhost" });

    const sent = fake.received();
    const submitted = sent.slice(sent.indexOf('type="set"'));
    expect(submitted).toContain('<x xmlns="jabber:x:data" type="submit">');
    expect(submitted).toContain(
      '<field var="FORM_TYPE" type="hidden"><value>jabber:iq:register</value></field>',
    );
    expect(submitted).toContain(
      '<field var="challenge" type="hidden"><value>c-123</value></field>',
    );
    expect(submitted).toContain('<field var="username"><value>Zoe</value></field>');
    expect(submitted).toContain(
      '<field var="password"><value>pw &amp; &lt;more&gt;</value></field>',
    );
    expect(submitted).toContain('<field var="email"><value>zoe@example.org</value></field>');
    expect(submitted).toContain('<field var="plan"><value>supporter</value></field>');
    expect(submitted).not.toContain("Accounts are free");
    expect(sent).not.toContain("<auth");
  });

  it("shows the server's reason for refusing as plain text", async () => {
    fake = await scriptedRegistrationServer((socket, id) =>
      socket.write(
        `<iq type='error' id='${id}'><error type='modify'>` +
          "<not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" +
          "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Email: &lt;b&gt;domain not allowed&lt;/b&gt;</text>" +
          "</error></iq>",
      ),
    );
    const { handle } = await fetchRegistrationForm({
      domain: "localhost",
      host: "127.0.0.1",
      port: fake.port,
      directTls: true,
    });
    handles.push(handle);
    const error = await failure(
      submitRegistration(handle, {
        username: "zoe",
        password: "pw",
        email: "zoe@example.org",
      }),
    );
    expect(error.code).toBe("invalid-argument");
    expect(error.reason).toBe("invalid-fields");
    expect(error.message).toBe(
      "The server did not accept the form: some fields are missing or invalid. " +
        "The server said: “Email: <b>domain not allowed</b>”",
    );
  });
});

describe("a server that offers no encryption", () => {
  it("is refused before any registration stanza is sent", async () => {
    fake = await fakeTcpServer({ onData: answerStreamHeaders(PLAIN_ONLY_FEATURES) });
    const error = await failure(
      fetchRegistrationForm({
        domain: "localhost",
        host: "127.0.0.1",
        port: fake.port,
        directTls: false,
      }),
    );
    expect(error.code).toBe("tls-required");
    expect(fake.received()).toContain("<stream:stream");
    await fake.clientsGone(); // Wren hung up: nothing more can come
    expect(fake.received()).not.toContain("<iq");
    expect(fake.received()).not.toContain("<auth");
  });
});

function field(partial: Record<string, unknown>) {
  return {
    var: "",
    type: "text-single",
    label: "",
    description: "",
    required: false,
    options: [],
    values: [],
    ...partial,
  };
}
