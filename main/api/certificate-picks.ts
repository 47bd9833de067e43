import { open } from "node:fs/promises";
import { basename } from "node:path";
import { Duplex } from "node:stream";
import { createSecureContext, TLSSocket } from "node:tls";
import { X509Certificate } from "node:crypto";
import type { ClientCertificatePick, ParsedArgs } from "../../preload/contract";
import {
  readClientCertificate,
  tlsClientOptions,
  type ClientCertificate,
} from "../core/auth/client-certificate";
import type { Clock } from "../shared/clock";
import type { Logger } from "../shared/log";
import { errorName } from "../shared/errors";
import { createTokenStore } from "./token-store";
import { WrenError } from "../shared/errors";

export type CertificateFilePurpose = "certificate" | "key";

/**
 * Asks the person for one file (the system's open-file dialog in the app); resolves with its path,
 * or null when they cancel. Rejects with a WrenError when no dialog can be shown.
 */
export type ChooseCertificateFile = (purpose: CertificateFilePurpose) => Promise<string | null>;

export interface CertificatePickOptions {
  choose: ChooseCertificateFile;
  log: Logger;
  /** A pick not used by then is forgotten. */
  ttlMs?: number;
  /** Picks kept at once; another forgets the oldest. */
  max?: number;
  clock?: Clock;
}

/** A picked certificate lent to one sign-in attempt. */
export interface ClaimedCertificate {
  certificate: ClientCertificate;
  /** The account was added: the token is used up. */
  used(): void;
  /** The attempt failed: the token may be used again (until it expires). */
  release(): void;
}

export interface CertificatePicks {
  /** The ready certificate under `token`; throws a readable WrenError when there is none. */
  claim(token: string): ClaimedCertificate;
}

/** The commands, typed as they answer (the contract's Handlers allow plain values too). */
interface CertificatePickHandlers {
  pickClientCertificate(args: ParsedArgs<"pickClientCertificate">): Promise<ClientCertificatePick>;
  discardClientCertificate(args: ParsedArgs<"discardClientCertificate">): void;
}

const TTL_MS = 10 * 60_000;
const MAX_PICKS = 8;
/** Certificate files are a few kilobytes; anything this big is not one. */
const MAX_FILE_BYTES = 1024 * 1024;
const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** PKCS#8 "ENCRYPTED PRIVATE KEY", or an OpenSSL traditional key with a Proc-Type header. */
const PEM_ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/;

type Stage =
  | { kind: "needs-passphrase"; problem: string | null }
  | { kind: "needs-key"; problem: string | null; subject: string | null }
  | {
      kind: "ready";
      certificate: ClientCertificate;
      subject: string | null;
      validTo: string | null;
    };

interface PendingPick {
  fileName: string;
  /** The certificate file as read: kept until it can be used, so the person never picks it twice. */
  file: Buffer;
  stage: Stage;
  /** A dialog for it is open, or a sign-in is using it. */
  busy: boolean;
}

const gone = () =>
  new WrenError(
    "invalid-argument",
    "The chosen certificate is no longer available. Choose the certificate file again.",
  );

/**
 * Client certificates the person picked, by token. Main reads the files; the renderer only ever
 * learns the token, the file's name and the certificate's subject. A pick lives ten minutes at
 * most and is used up by the account it signs in.
 */
export function createCertificatePicks(
  options: CertificatePickOptions,
): CertificatePicks & CertificatePickHandlers & { dispose(): void } {
  const { choose, log } = options;
  const picks = createTokenStore<PendingPick>({
    ttlMs: options.ttlMs ?? TTL_MS,
    max: options.max ?? MAX_PICKS,
    clock: options.clock,
  });
  let dialogOpen = false;

  /** One dialog at a time, whoever asks. */
  const chooseFile = async (purpose: CertificateFilePurpose) => {
    if (dialogOpen) {
      throw new WrenError("invalid-argument", "Finish choosing in the open file dialog first.");
    }
    dialogOpen = true;
    try {
      const path = await choose(purpose);
      return path === null ? null : { name: basename(path), bytes: await readSmallFile(path, log) };
    } finally {
      dialogOpen = false;
    }
  };

  const view = (token: string, pick: PendingPick): ClientCertificatePick => {
    const { fileName, stage } = pick;
    switch (stage.kind) {
      case "ready":
        return {
          status: "ready",
          token,
          fileName,
          subject: stage.subject,
          validTo: stage.validTo,
        };
      case "needs-passphrase":
        return { status: "needs-passphrase", token, fileName, problem: stage.problem };
      case "needs-key":
        return {
          status: "needs-key",
          token,
          fileName,
          subject: stage.subject,
          problem: stage.problem,
        };
    }
  };

  /** The pick still under `token`, not busy; throws a readable error otherwise. */
  const lookup = (token: string): PendingPick => {
    const pick = picks.get(token);
    if (!pick) throw gone();
    if (pick.busy) {
      throw new WrenError("invalid-argument", "This certificate is being used right now.");
    }
    return pick;
  };

  const withBusy = async <R>(pick: PendingPick, work: () => Promise<R>): Promise<R> => {
    pick.busy = true;
    try {
      return await work();
    } finally {
      pick.busy = false;
    }
  };

  return {
    async pickClientCertificate({ token, passphrase }) {
      if (token === undefined) {
        const chosen = await chooseFile("certificate");
        if (!chosen) return { status: "cancelled" };
        const pick: PendingPick = {
          fileName: chosen.name,
          file: chosen.bytes,
          stage: firstStage(chosen, passphrase),
          busy: false,
        };
        log.info("client certificate picked", { stage: pick.stage.kind });
        return view(picks.add(pick), pick);
      }

      const pick = lookup(token);
      const { stage } = pick;
      if (stage.kind === "needs-passphrase") {
        pick.stage = unlock(pick.file, passphrase ?? "", true);
      } else if (stage.kind === "needs-key") {
        const key = await withBusy(pick, () => chooseFile("key"));
        // Discarded or expired while the dialog was open.
        if (picks.get(token) !== pick) throw gone();
        if (key) pick.stage = withKey(pick.file, key, stage.subject);
      }
      return view(token, pick);
    },

    discardClientCertificate({ token }) {
      picks.delete(token);
    },

    claim(token) {
      const pick = lookup(token);
      const { stage } = pick;
      if (stage.kind !== "ready") {
        throw new WrenError(
          "invalid-argument",
          stage.kind === "needs-key"
            ? "Choose the private key of the certificate first."
            : "Enter the passphrase of the certificate file first.",
        );
      }
      pick.busy = true;
      return {
        certificate: stage.certificate,
        used: () => picks.delete(token),
        release: () => {
          pick.busy = false;
        },
      };
    },

    dispose() {
      picks.clear();
    },
  };

  /** Where a freshly read file stands: ready, or what it still needs. Throws when it is unusable. */
  function firstStage(file: ChosenFile, passphrase: string | undefined): Stage {
    const text = file.bytes.toString("latin1");
    const hasCertificate = text.includes(PEM_CERTIFICATE);
    const hasKey = PEM_PRIVATE_KEY.test(text);
    if (hasCertificate && !hasKey) {
      return { kind: "needs-key", problem: null, subject: subjectOf(file.bytes, log) };
    }
    if (!hasCertificate && hasKey) {
      throw new WrenError(
        "invalid-argument",
        `${file.name} holds only a private key. Choose the certificate file first; Wren then asks for its key.`,
      );
    }
    if (hasCertificate) {
      refuseEncryptedKey(file);
      return ready(readClientCertificate(file.bytes), log);
    }
    return unlock(file.bytes, passphrase ?? "", passphrase !== undefined);
  }

  /** PKCS#12: ready with this passphrase, or asking for (another) one. */
  function unlock(file: Buffer, passphrase: string, tried: boolean): Stage {
    try {
      return ready(readClientCertificate(file, { passphrase }), log);
    } catch (error) {
      if (!isWrongPassphrase(error)) throw error;
      log.info("client certificate needs a passphrase", { tried });
      return {
        kind: "needs-passphrase",
        problem: tried ? (error as WrenError).message : null,
      };
    }
  }

  /** A PEM certificate with the key the person chose for it; the reason when they do not fit. */
  function withKey(file: Buffer, key: ChosenFile, subject: string | null): Stage {
    try {
      refuseEncryptedKey(key);
      return ready(readClientCertificate(file, { keyFile: key.bytes }), log);
    } catch (error) {
      log.info("the chosen key did not fit", { error: errorName(error) });
      const problem =
        error instanceof WrenError
          ? error.message
          : `Wren cannot use ${key.name} as the certificate's key.`;
      return { kind: "needs-key", problem, subject };
    }
  }
}

interface ChosenFile {
  name: string;
  bytes: Buffer;
}

function ready(certificate: ClientCertificate, log: Logger): Stage {
  return { kind: "ready", certificate, ...describeCertificate(certificate, log) };
}

/** The core takes a passphrase for PKCS#12 only; say so rather than pass on OpenSSL's words. */
function refuseEncryptedKey(file: ChosenFile): void {
  if (PEM_ENCRYPTED_KEY.test(file.bytes.toString("latin1"))) {
    throw new WrenError(
      "invalid-argument",
      `The private key in ${file.name} is protected by a passphrase, which Wren can only open in a PKCS#12 file. Choose the certificate as a .p12 or .pfx file.`,
    );
  }
}

/** Read through one handle, refusing folders and files too big to be a certificate. */
async function readSmallFile(path: string, log: Logger): Promise<Buffer> {
  const name = basename(path);
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    log.info("could not open a chosen certificate file", { code, error: errorName(error) });
    throw new WrenError("invalid-argument", `Wren could not open ${name}.`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new WrenError("invalid-argument", `${name} is not a file.`);
    if (info.size > MAX_FILE_BYTES) {
      throw new WrenError("invalid-argument", `${name} is too big to be a certificate file.`);
    }
    return await handle.readFile();
  } catch (error) {
    if (error instanceof WrenError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    log.info("could not read a chosen certificate file", { code, error: errorName(error) });
    throw new WrenError("invalid-argument", `Wren could not read ${name}.`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** The core says why it refused a PKCS#12 file; OpenSSL's reason tells a passphrase problem apart. */
function isWrongPassphrase(error: unknown): boolean {
  if (!(error instanceof WrenError)) return false;
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return /mac verify|password|decrypt/i.test(cause);
}

/** Subject and expiry of the certificate TLS would present (the one that goes with the key). */
function describeCertificate(
  certificate: ClientCertificate,
  log: Logger,
): {
  subject: string | null;
  validTo: string | null;
} {
  let socket: TLSSocket | undefined;
  try {
    // Not connected anywhere: a TLS socket is just the documented way to read a context's certificate.
    const nowhere = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
    socket = new TLSSocket(nowhere, {
      secureContext: createSecureContext(tlsClientOptions(certificate)),
    });
    const own = socket.getCertificate();
    const raw = own && "raw" in own ? own.raw : null;
    if (!raw) return { subject: null, validTo: null };
    const x509 = new X509Certificate(raw);
    const validTo = new Date(x509.validTo);
    return {
      subject: oneLine(x509.subject),
      validTo: Number.isNaN(validTo.getTime()) ? null : validTo.toISOString(),
    };
  } catch (error) {
    log.info("could not read the chosen certificate's subject", { error: errorName(error) });
    return { subject: null, validTo: null };
  } finally {
    socket?.destroy();
  }
}

function subjectOf(pem: Buffer, log: Logger): string | null {
  try {
    return oneLine(new X509Certificate(pem).subject);
  } catch (error) {
    // Shown without a subject; reading it with its key later says what is wrong with it.
    log.info("could not read the chosen certificate's subject", { error: errorName(error) });
    return null;
  }
}

/** "CN=alice@example.org\nO=Example" → "CN=alice@example.org, O=Example". */
function oneLine(subject: string): string | null {
  return subject.split("\n").filter(Boolean).join(", ") || null;
}
