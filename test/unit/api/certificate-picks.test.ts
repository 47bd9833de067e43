import { mkdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { ClientCertificatePick } from "../../../preload/contract";
import {
  createCertificatePicks,
  type CertificateFilePurpose,
} from "../../../main/api/certificate-picks";
import { WrenError } from "../../../main/shared/errors";
import { createLogger } from "../../../main/shared/log";
import { FakeClock } from "../core/fake-clock";
import { captureLog } from "../credentials/capture-log";
import { makeCertificateFiles } from "./certificate-files";

const files = makeCertificateFiles();
afterAll(() => files.remove());
const logLines = captureLog();

/** A fake dialog: answers each request with the next path of `answers` (null: cancelled). */
function setup(answers: (string | null)[], options: { max?: number } = {}) {
  const asked: CertificateFilePurpose[] = [];
  const clock = new FakeClock();
  const choose = vi.fn(async (purpose: CertificateFilePurpose) => {
    asked.push(purpose);
    if (answers.length === 0) throw new Error("the dialog was not expected");
    return answers.shift()!;
  });
  const picks = createCertificatePicks({
    choose,
    log: createLogger("test/picks"),
    clock,
    ttlMs: 10 * 60_000,
    max: options.max,
  });
  return { picks, asked, clock, choose };
}

function tokenOf(pick: ClientCertificatePick): string {
  if (pick.status === "cancelled") throw new Error("cancelled");
  return pick.token;
}

const SUBJECT = "CN=alice@example.org, O=Example";
const gone = /no longer available/;

describe("pickClientCertificate", () => {
  it("reads a PEM file with certificate and key, and names it without handing it out", async () => {
    const { picks, asked } = setup([files.both]);
    const pick = await picks.pickClientCertificate({});
    expect(pick).toEqual({
      status: "ready",
      token: expect.stringMatching(/^[\w-]{20,64}$/),
      fileName: "alice.pem",
      subject: SUBJECT,
      validTo: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(asked).toEqual(["certificate"]);
    // Only the token leaves: no key, no certificate, no path.
    expect(JSON.stringify(pick)).not.toMatch(/BEGIN|PRIVATE|wren-pick/);
    const claimed = picks.claim(tokenOf(pick));
    expect(claimed.certificate).toMatchObject({ kind: "pem", pem: expect.stringContaining("KEY") });
  });

  it("answers cancelled when the person closes the dialog, keeping nothing", async () => {
    const { picks } = setup([null]);
    expect(await picks.pickClientCertificate({})).toEqual({ status: "cancelled" });
  });

  it("asks for a PKCS#12 passphrase, then takes it without showing the dialog again", async () => {
    const { picks, choose } = setup([files.locked]);
    const first = await picks.pickClientCertificate({});
    expect(first).toEqual({
      status: "needs-passphrase",
      token: expect.any(String),
      fileName: "alice.p12",
      problem: null,
    });
    const token = tokenOf(first);
    expect(() => picks.claim(token)).toThrowError(/passphrase/);

    const wrong = await picks.pickClientCertificate({ token, passphrase: "open sesame" });
    expect(wrong).toEqual({
      status: "needs-passphrase",
      token,
      fileName: "alice.p12",
      problem: "The passphrase for the certificate file is wrong.",
    });
    const right = await picks.pickClientCertificate({ token, passphrase: "sesame" });
    expect(right).toMatchObject({
      status: "ready",
      token,
      fileName: "alice.p12",
      subject: SUBJECT,
    });
    expect(choose).toHaveBeenCalledOnce();
    expect(picks.claim(token).certificate).toMatchObject({ kind: "pkcs12", passphrase: "sesame" });
    expect(logLines.join("")).not.toMatch(/sesame|alice/);
  });

  it("takes a PKCS#12 file without a passphrase at once, or with one given up front", async () => {
    expect(await setup([files.open]).picks.pickClientCertificate({})).toMatchObject({
      status: "ready",
      fileName: "open.pfx",
      subject: SUBJECT,
    });
    expect(
      await setup([files.locked]).picks.pickClientCertificate({ passphrase: "sesame" }),
    ).toMatchObject({ status: "ready" });
  });

  it("asks for the key of a certificate that came without one, until a key fits", async () => {
    const { picks, asked } = setup([
      files.certificate,
      files.otherKey,
      files.lockedKey,
      null,
      files.key,
    ]);
    const first = await picks.pickClientCertificate({});
    expect(first).toEqual({
      status: "needs-key",
      token: expect.any(String),
      fileName: "alice.crt",
      subject: SUBJECT,
      problem: null,
    });
    const token = tokenOf(first);
    expect(() => picks.claim(token)).toThrowError(/private key/);
    expect(await picks.pickClientCertificate({ token })).toMatchObject({
      status: "needs-key",
      problem: "The private key does not belong to the certificate.",
    });
    expect(await picks.pickClientCertificate({ token })).toMatchObject({
      status: "needs-key",
      problem: expect.stringMatching(/locked\.key is protected by a passphrase.*PKCS#12/),
    });
    // Cancelling the key dialog changes nothing.
    expect(await picks.pickClientCertificate({ token })).toMatchObject({ status: "needs-key" });
    expect(await picks.pickClientCertificate({ token })).toMatchObject({
      status: "ready",
      token,
      fileName: "alice.crt",
    });
    expect(asked).toEqual(["certificate", "key", "key", "key", "key"]);
    // Ready: asking again answers the same, without a dialog.
    expect(await picks.pickClientCertificate({ token })).toMatchObject({ status: "ready" });
    expect(asked).toHaveLength(5);
  });

  it.each([
    ["a key alone", () => files.key, /alice\.key holds only a private key/],
    ["a file that is no certificate", () => files.garbage, /cannot use this certificate file/],
    ["a PEM key locked by a passphrase", () => files.lockedBoth, /only open in a PKCS#12 file/],
    ["a file that is not there", () => join(files.dir, "missing.pem"), /could not open/],
    ["a folder", () => files.dir, /is not a file/],
  ])("refuses %s with a readable error and keeps no token", async (_, path, message) => {
    const { picks } = setup([path()]);
    await expect(picks.pickClientCertificate({})).rejects.toThrowError(
      expect.objectContaining({
        code: "invalid-argument",
        message: expect.stringMatching(message),
      }),
    );
  });

  it("names the file, not its path, in errors", async () => {
    const folder = join(files.dir, "nested.p12");
    await mkdir(folder);
    const error = await setup([folder])
      .picks.pickClientCertificate({})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect((error as WrenError).message).toBe("nested.p12 is not a file.");
  });

  it("logs why a chosen file could not be opened, without its path", async () => {
    const missing = join(files.dir, "missing.pem");
    await expect(setup([missing]).picks.pickClientCertificate({})).rejects.toThrowError(
      /could not open/,
    );
    const line = logLines.find((entry) => entry.includes("could not open a chosen"));
    expect(line).toContain("ENOENT");
    expect(line).not.toContain(files.dir);
  });

  it("refuses a file too big to be a certificate without reading it", async () => {
    const big = join(files.dir, "big.p12");
    await writeFile(big, "");
    await truncate(big, 2 * 1024 * 1024);
    await expect(setup([big]).picks.pickClientCertificate({})).rejects.toThrowError(/too big/);
  });

  it("shows one dialog at a time", async () => {
    let answer!: (path: string | null) => void;
    const picks = createCertificatePicks({
      choose: () => new Promise((resolve) => (answer = resolve)),
      log: createLogger("test/picks"),
    });
    const first = picks.pickClientCertificate({});
    await expect(picks.pickClientCertificate({})).rejects.toThrowError(/open file dialog/);
    answer(null);
    expect(await first).toEqual({ status: "cancelled" });
    picks.dispose();
  });

  it("passes on the dialog's own refusal (no dialog in the preview)", async () => {
    const picks = createCertificatePicks({
      choose: async () => {
        throw new WrenError("not-available", "Not in the preview.");
      },
      log: createLogger("test/picks"),
    });
    await expect(picks.pickClientCertificate({})).rejects.toThrowError("Not in the preview.");
    // The dialog can be asked again afterwards.
    await expect(picks.pickClientCertificate({})).rejects.toThrowError("Not in the preview.");
  });

  it("refuses a token it does not know", async () => {
    const { picks } = setup([]);
    await expect(picks.pickClientCertificate({ token: "made-up" })).rejects.toThrowError(gone);
    expect(() => picks.claim("made-up")).toThrowError(gone);
  });
});

describe("tokens", () => {
  it("expire after ten minutes, passphrase or not", async () => {
    const { picks, clock } = setup([files.locked, files.both]);
    const locked = tokenOf(await picks.pickClientCertificate({}));
    const ready = tokenOf(await picks.pickClientCertificate({}));
    clock.advance(10 * 60_000 - 1);
    expect(() => picks.claim(ready).release()).not.toThrow();
    clock.advance(1);
    expect(() => picks.claim(ready)).toThrowError(gone);
    await expect(
      picks.pickClientCertificate({ token: locked, passphrase: "sesame" }),
    ).rejects.toThrowError(gone);
  });

  it("are used up by the sign-in that succeeds, and lent back by one that fails", async () => {
    const { picks } = setup([files.both]);
    const token = tokenOf(await picks.pickClientCertificate({}));
    const first = picks.claim(token);
    // While one sign-in uses it, no other can.
    expect(() => picks.claim(token)).toThrowError(/being used/);
    await expect(picks.pickClientCertificate({ token })).rejects.toThrowError(/being used/);
    first.release();
    picks.claim(token).used();
    expect(() => picks.claim(token)).toThrowError(gone);
  });

  it("are forgotten when discarded, and the oldest when too many are kept", async () => {
    const { picks } = setup([files.both, files.both, files.both], { max: 2 });
    const [a, b, c] = [
      tokenOf(await picks.pickClientCertificate({})),
      tokenOf(await picks.pickClientCertificate({})),
      tokenOf(await picks.pickClientCertificate({})),
    ];
    expect(new Set([a, b, c]).size).toBe(3);
    expect(() => picks.claim(a)).toThrowError(gone);
    picks.discardClientCertificate({ token: b });
    expect(() => picks.claim(b)).toThrowError(gone);
    expect(picks.claim(c).certificate.kind).toBe("pem");
  });

  it("are forgotten when the key dialog closes after the pick was discarded", async () => {
    let answer!: (path: string | null) => void;
    const answers: Promise<string | null>[] = [Promise.resolve(files.certificate)];
    const picks = createCertificatePicks({
      choose: () => answers.shift() ?? new Promise((resolve) => (answer = resolve)),
      log: createLogger("test/picks"),
    });
    const token = tokenOf(await picks.pickClientCertificate({}));
    const keyPick = picks.pickClientCertificate({ token });
    await vi.waitFor(() => expect(answer).toBeDefined());
    picks.discardClientCertificate({ token });
    answer(files.key);
    await expect(keyPick).rejects.toThrowError(gone);
  });
});
