import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { ClientCertificatePick, Envelope } from "../../../preload/contract";
import { createAccountManager } from "../../../main/accounts/account-manager";
import { createDispatch } from "../../../main/api/dispatch";
import { createWrenService } from "../../../main/api/service";
import type { CertificateFilePurpose } from "../../../main/api/certificate-picks";
import { createCredentialChoice } from "../../../main/credentials/credential-choice";
import { fakeSessions, recordingStore, type Behaviour } from "../accounts/fake-sessions";
import { captureLog } from "../credentials/capture-log";
import { makeCertificateFiles } from "./certificate-files";

// Adding an account that signs in with a client certificate, through dispatch as the renderer does:
// the file is chosen and read in main, and only a token crosses to the page and back.

const files = makeCertificateFiles();
afterAll(() => files.remove());
const logLines = captureLog();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function setup(answers: (string | null)[], behaviours: Record<string, Behaviour> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "wren-cert-accounts-"));
  const keychain = recordingStore();
  const credentials = createCredentialChoice({
    file: join(dir, "credentials.json"),
    safeStorageFile: join(dir, "passwords.json"),
    safeStorage: null,
    platform: "linux",
    probeKeychain: async () => ({ available: true }),
    createKeychainStore: () => keychain,
  });
  const sessions = fakeSessions(behaviours);
  const accounts = createAccountManager({
    settingsPath: join(dir, "accounts.json"),
    credentials: credentials.store,
    createSession: sessions.createSession,
  });
  const asked: CertificateFilePurpose[] = [];
  const service = createWrenService({
    accounts,
    credentials,
    openExternal: async () => {},
    chooseCertificateFile: async (purpose) => {
      asked.push(purpose);
      return answers.shift() ?? null;
    },
    eventWindowMs: 0,
  });
  cleanups.push(async () => {
    await service.dispose();
    await rm(dir, { recursive: true, force: true });
  });
  await service.start();
  const dispatch = createDispatch(service.handlers);
  const pick = async (args: object) =>
    (await dispatch("pickClientCertificate", args)) as Envelope<ClientCertificatePick>;
  return { dir, dispatch, pick, sessions, keychain, asked };
}

const certificateAccount = (token: string, extra: object = {}) => ({
  jid: "alice@example.org",
  clientCertificate: { token },
  directTls: false,
  savePassword: true,
  ...extra,
});

function readyToken(envelope: Envelope<ClientCertificatePick>): string {
  if (!envelope.ok || envelope.value.status !== "ready") {
    throw new Error(`not ready: ${JSON.stringify(envelope)}`);
  }
  return envelope.value.token;
}

describe("adding an account with a client certificate", () => {
  it("signs in with the certificate picked in main, then uses its token up", async () => {
    const { dir, dispatch, pick, sessions, keychain } = await setup([files.locked]);
    const first = await pick({});
    expect(first).toMatchObject({ ok: true, value: { status: "needs-passphrase" } });
    const token = first.ok && first.value.status !== "cancelled" ? first.value.token : "";
    expect(readyToken(await pick({ token, passphrase: "sesame" }))).toBe(token);

    const added = await dispatch("addAccount", certificateAccount(token));
    expect(added).toMatchObject({ ok: true, value: { jid: "alice@example.org" } });
    const options = sessions.latest("alice@example.org").options;
    expect(options.clientCertificate).toMatchObject({ kind: "pkcs12", passphrase: "sesame" });
    expect(options.password).toBeUndefined();
    expect(keychain.calls).toEqual([expect.stringMatching(/^set /)]);
    expect(await readFile(join(dir, "accounts.json"), "utf8")).toContain("client-certificate");

    // Used up: another account cannot be made from it.
    expect(
      await dispatch("addAccount", certificateAccount(token, { jid: "bob@example.org" })),
    ).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no longer available/) },
    });
    expect(logLines.join("")).not.toMatch(/sesame|BEGIN/);
  });

  it("keeps the token after a failed sign-in, for the retry", async () => {
    const { dispatch, pick } = await setup([files.both], { "alice@example.org": "auth-failed" });
    const token = readyToken(await pick({}));
    expect(await dispatch("addAccount", certificateAccount(token))).toMatchObject({
      ok: false,
      error: { code: "auth-failed" },
    });
    // The retry reaches the account manager again (and fails for the same reason), not the token.
    expect(await dispatch("addAccount", certificateAccount(token))).toMatchObject({
      ok: false,
      error: { code: "auth-failed" },
    });
  });

  it("refuses a token that is not ready, unknown or discarded", async () => {
    const { dispatch, pick } = await setup([files.certificate, files.both]);
    const needsKey = await pick({});
    expect(needsKey).toMatchObject({ ok: true, value: { status: "needs-key" } });
    const token = needsKey.ok && needsKey.value.status === "needs-key" ? needsKey.value.token : "";
    expect(await dispatch("addAccount", certificateAccount(token))).toMatchObject({
      ok: false,
      error: {
        code: "invalid-argument",
        message: "Choose the private key of the certificate first.",
      },
    });
    expect(await dispatch("addAccount", certificateAccount("made-up"))).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/no longer available/) },
    });
    const ready = readyToken(await pick({}));
    expect(await dispatch("discardClientCertificate", { token: ready })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await dispatch("addAccount", certificateAccount(ready))).toMatchObject({ ok: false });
  });

  it("takes a password or a certificate, exactly one", async () => {
    const { dispatch } = await setup([]);
    const base = { jid: "alice@example.org", directTls: false, savePassword: true };
    expect(await dispatch("addAccount", base)).toMatchObject({
      ok: false,
      error: { code: "invalid-argument", message: "Enter your password" },
    });
    expect(await dispatch("addAccount", { ...base, password: "" })).toMatchObject({
      ok: false,
      error: { message: "Enter your password" },
    });
    expect(
      await dispatch("addAccount", { ...base, password: "pw", clientCertificate: { token: "t" } }),
    ).toMatchObject({
      ok: false,
      error: { message: "Sign in with a password or a certificate, not both." },
    });
    // Never the file itself.
    expect(
      await dispatch("addAccount", { ...base, clientCertificate: { token: "t", pem: "x" } }),
    ).toMatchObject({ ok: false, error: { code: "invalid-argument" } });
    // The address is still checked first, with its own message.
    expect(
      await dispatch("addAccount", { ...base, jid: "nope", clientCertificate: { token: "t" } }),
    ).toMatchObject({ ok: false, error: { message: "Enter an address like name@example.org" } });
  });

  it("answers cancelled and keeps nothing when the dialog is closed", async () => {
    const { pick, asked } = await setup([null]);
    expect(await pick({})).toEqual({ ok: true, value: { status: "cancelled" } });
    expect(asked).toEqual(["certificate"]);
  });

  it("gives a readable error for a file that is no certificate", async () => {
    const { pick } = await setup([files.garbage]);
    expect(await pick({})).toMatchObject({
      ok: false,
      error: {
        code: "invalid-argument",
        message: expect.stringMatching(/^Wren cannot use this certificate file/),
      },
    });
  });
});

describe("changing how an account signs in", () => {
  it("moves a password account to a picked certificate, and back to a password", async () => {
    const { dir, dispatch, pick, sessions } = await setup([files.both]);
    const added = await dispatch("addAccount", {
      jid: "alice@example.org",
      password: "hunter2-secret",
      directTls: false,
      savePassword: true,
    });
    const accountId = added.ok ? (added.value as { id: string }).id : "";
    expect(added).toMatchObject({ ok: true, value: { authentication: "password" } });

    const token = readyToken(await pick({}));
    const updated = await dispatch("updateAccount", { accountId, clientCertificate: { token } });
    expect(updated).toMatchObject({ ok: true, value: { authentication: "client-certificate" } });
    const options = sessions.latest("alice@example.org").options;
    expect(options.clientCertificate).toMatchObject({ kind: "pem" });
    expect(options.password).toBeUndefined();
    expect(await readFile(join(dir, "accounts.json"), "utf8")).toContain("client-certificate");

    expect(
      await dispatch("updateAccount", { accountId, clientCertificate: { token }, password: "x" }),
    ).toMatchObject({ ok: false, error: { code: "invalid-argument" } });

    const back = await dispatch("updateAccount", { accountId, password: "new-password" });
    expect(back).toMatchObject({ ok: true, value: { authentication: "password" } });
    expect(sessions.latest("alice@example.org").options.password).toBe("new-password");
  });
});
