import type { Client } from "@xmpp/client";
import { errorName, WrenError } from "../../shared/errors";
import { createLogger } from "../../shared/log";
import { tripwire, withDeadline } from "../../shared/timeouts";
import { tryEndpoints } from "../connect/try-endpoints";
import { destroySocket } from "../connection";
import { resolveEndpoints } from "../endpoints";
import { tlsRequiredError } from "../errors";
import { parseJid } from "../jid";
import { FormParseError } from "../stanzas/data-form";
import { buildRegisterGet, parseRegisterResult, type RegistrationForm } from "../stanzas/register";
import type { TlsPolicy } from "../transport/certificate";
import { createRegistrationClient, REQUEST_TIMEOUT_MS } from "./client";
import { RegistrationError, registrationError } from "./errors";
import { RegistrationHandle } from "./open-form";

const log = createLogger("core/registration");

export interface RegistrationTarget {
  /** The server's domain: the new address will be name@domain. */
  domain: string;
  host?: string;
  port?: number;
  directTls: boolean;
  /** SHA-256 fingerprint of the server certificate the person chose to trust, if any. */
  trustedCertificate?: string;
}

export interface RegistrationStart {
  form: RegistrationForm;
  /** Pass to submitRegistration() or cancelRegistration(); holds the open stream. */
  handle: RegistrationHandle;
}

/** Connecting, TLS and fetching the form must finish within this. */
export const FETCH_TIMEOUT_MS = 20_000;

/**
 * Connects to `target.domain` over TLS and asks for its registration form. The stream stays open
 * until the form is submitted or cancelled (or after IDLE_TIMEOUT_MS).
 */
export async function fetchRegistrationForm(
  target: RegistrationTarget,
): Promise<RegistrationStart> {
  const domain = requireDomain(target.domain);
  let current: Client | null = null;
  const attempt = async (): Promise<RegistrationStart> => {
    const services = await resolveEndpoints({ ...target, domain });
    return tryEndpoints(services, {
      attempt: (service) =>
        fetchFrom(
          service,
          { domain, pinnedFingerprint: target.trustedCertificate ?? null },
          (entity) => (current = entity),
        ),
      toError: (error, service) => registrationError(error, domain, service),
      afterFailure: (error) =>
        log.info("could not fetch the registration form from an address", {
          domain,
          error: errorName(error),
        }),
    });
  };
  try {
    return await withDeadline(
      attempt(),
      FETCH_TIMEOUT_MS,
      () =>
        new WrenError(
          "timeout",
          `The server for ${domain} did not send its registration form within ${FETCH_TIMEOUT_MS / 1000} seconds. Try again later.`,
        ),
    );
  } catch (error) {
    // After a timeout the attempt may still be connecting: drop its socket.
    const entity = current as Client | null;
    if (entity) destroySocket(entity);
    throw error;
  }
}

/** One endpoint: connect, secure the stream, ask for the form. Nothing is sent before TLS. */
async function fetchFrom(
  service: string,
  policy: TlsPolicy,
  onEntity: (entity: Client) => void,
): Promise<RegistrationStart> {
  const { domain } = policy;
  const lost = tripwire();
  const { entity, secured } = createRegistrationClient(service, policy, lost.trip);
  onEntity(entity);

  const step = <T>(work: Promise<T>) => Promise.race([work, lost.promise]);
  try {
    await step(entity.connect(service));
    // open() subscribes to the server's stream header only once its own header is written, and
    // a fast server's answer can come before that: what counts is the features that follow. Its
    // failure reaches the race below; once secure features came, a late one means nothing.
    const opening = entity.open({ domain });
    opening.catch(() => {});
    await step(Promise.race([secured, opening.then(() => secured)]));
    // Belt and braces: nothing about registration is sent on an unencrypted stream.
    if (!entity.isSecure()) throw tlsRequiredError(domain);
    const result = await step(entity.iqCaller.request(buildRegisterGet(), REQUEST_TIMEOUT_MS));
    let form: RegistrationForm;
    try {
      form = parseRegisterResult(result);
    } catch (error) {
      if (!(error instanceof FormParseError)) throw error;
      throw new RegistrationError(
        "not-available",
        "bad-form",
        `The server for ${domain} sent a registration form Wren cannot show (${error.message}).`,
        { cause: error },
      );
    }
    return { form, handle: new RegistrationHandle(domain, entity, form, lost.promise) };
  } catch (error) {
    destroySocket(entity);
    throw error;
  }
}

function requireDomain(value: string): string {
  const parts = parseJid(value.trim());
  if (!parts || parts.local || parts.resource) {
    throw new WrenError("invalid-argument", `“${value}” is not a server name like example.org.`);
  }
  return parts.domain;
}
