import type { Client, Element } from "@xmpp/client";
import type { ErrorCode } from "../../preload/contract";
import { WrenError } from "../shared/errors";
import { destroySocket, STEP_TIMEOUT_MS } from "./connection";
import type { TlsPolicy } from "./transport/certificate";
import { createEntity } from "./transport/create-entity";
import { tripwire, withDeadline } from "../shared/timeouts";
import { tryEndpoints } from "./connect/try-endpoints";
import { hostOf, resolveEndpoints } from "./endpoints";
import {
  connectionLostError,
  tlsRequiredError,
  toWrenError,
} from "./errors";
import { parseJid } from "./jid";
import {
  FormParseError,
  plainText,
  validateFormValues,
  type FormValues,
} from "./stanzas/data-form";
import {
  buildRegisterGet,
  buildRegisterSubmit,
  parseRegisterResult,
  type RegistrationForm,
} from "./stanzas/register";

export type { RegistrationForm } from "./stanzas/register";
export type { FormField, FormValues } from "./stanzas/data-form";

// XEP-0077 in-band registration: create an account on a server before ever signing in to it.
//
// The form is fetched and submitted on one stream, kept open in between: some servers tie what
// they ask to the stream (a CAPTCHA, a token in a hidden field), and a form answered on another
// stream would be refused. If the stream is gone by the time the person submits, they fetch a new
// form. The stream is encrypted (STARTTLS or direct TLS, certificate checked against the domain,
// exactly as for signing in) before the first registration stanza goes out, and SASL never runs.

export interface RegistrationTarget {
  /** The server's domain: the new address will be name@domain. */
  domain: string;
  host?: string;
  port?: number;
  directTls: boolean;
  /** SHA-256 fingerprint of the server certificate the person chose to trust, if any. */
  trustedCertificate?: string;
}

/** Why registration failed, for callers that react differently (the message says it to people). */
export type RegistrationFailure =
  | "conflict"
  | "invalid-fields"
  | "closed"
  | "rate-limited"
  | "unsupported"
  | "expired"
  | "bad-form";

export class RegistrationError extends WrenError {
  readonly reason: RegistrationFailure;

  constructor(
    code: ErrorCode,
    reason: RegistrationFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.reason = reason;
  }
}

export interface RegistrationStart {
  form: RegistrationForm;
  /** Pass to submitRegistration() or cancelRegistration(); holds the open stream. */
  handle: RegistrationHandle;
}

/** Connecting, TLS and fetching the form must finish within this. */
export const FETCH_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3_000;
/** A form left unanswered this long is closed; its stream would otherwise stay open forever. */
export const IDLE_TIMEOUT_MS = 10 * 60_000;

const NS_STREAM = "http://etherx.jabber.org/streams";

/** The open stream a form was fetched on. Opaque outside this module. */
export class RegistrationHandle {
  readonly #domain: string;
  readonly #entity: Client;
  readonly #form: RegistrationForm;
  /** Trips when the stream fails or closes; every later request loses the race against it. */
  readonly #lost: Promise<never>;
  #closed = false;
  #busy = false;
  #idle: NodeJS.Timeout | undefined;

  /** @internal Created by fetchRegistrationForm() only. */
  constructor(domain: string, entity: Client, form: RegistrationForm, lost: Promise<never>) {
    this.#domain = domain;
    this.#entity = entity;
    this.#form = form;
    this.#lost = lost;
    lost.catch(() => {
      this.#markClosed();
      destroySocket(entity);
    });
    this.#touch();
  }

  get domain(): string {
    return this.#domain;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async submit(values: FormValues): Promise<{ jid: string | null }> {
    if (this.#closed) throw expiredError();
    if (this.#busy) {
      throw new WrenError(
        "invalid-argument",
        "The form is already being sent. Wait for the answer.",
      );
    }
    const problems = validateFormValues(this.#form.fields, values);
    if (problems.length > 0) {
      throw new RegistrationError("invalid-argument", "invalid-fields", problems.join(" "));
    }

    this.#busy = true;
    this.#touch();
    try {
      await Promise.race([
        this.#entity.iqCaller.request(buildRegisterSubmit(this.#form, values), REQUEST_TIMEOUT_MS),
        this.#lost,
      ]);
    } catch (error) {
      const failure = registrationError(error, this.#domain);
      // The person may correct a taken name or a missing field and send the same form again.
      const retry =
        failure instanceof RegistrationError &&
        (failure.reason === "conflict" || failure.reason === "invalid-fields");
      if (!retry) await this.close();
      throw failure;
    } finally {
      this.#busy = false;
    }
    // The answer is in; closing the stream politely need not hold it up.
    void this.close();
    return { jid: newJid(values.username, this.#domain) };
  }

  /** Closes the stream (politely if it can). Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#markClosed();
    try {
      await withDeadline(this.#entity.stop(), STOP_TIMEOUT_MS, () => new Error("stop timed out"));
    } catch {
      // Closing politely failed; the socket is dropped below either way.
    } finally {
      destroySocket(this.#entity);
    }
  }

  #markClosed(): void {
    this.#closed = true;
    clearTimeout(this.#idle);
  }

  #touch(): void {
    clearTimeout(this.#idle);
    if (this.#closed) return;
    this.#idle = setTimeout(() => void this.close(), IDLE_TIMEOUT_MS);
    this.#idle.unref();
  }
}

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

export function submitRegistration(
  handle: RegistrationHandle,
  values: FormValues,
): Promise<{ jid: string | null }> {
  if (!(handle instanceof RegistrationHandle)) {
    return Promise.reject(new WrenError("invalid-argument", "Unknown registration."));
  }
  return handle.submit(values);
}

export async function cancelRegistration(handle: RegistrationHandle): Promise<void> {
  if (handle instanceof RegistrationHandle) await handle.close();
}

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
    // a fast server's answer can come before that: what counts is the features that follow.
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

/** A Wren entity that negotiates TLS like sign-in does and then stops: it has no SASL at all. */
function createRegistrationClient(
  service: string,
  policy: TlsPolicy,
  onLost: (error: unknown) => void,
): { entity: Client; secured: Promise<void> } {
  const { domain } = policy;
  const entity = createEntity({
    service,
    domain,
    policy,
    timeout: STEP_TIMEOUT_MS,
    onInsecure: onLost,
  });

  // Stream features on an encrypted stream: TLS is up (xmpp.js did STARTTLS first when needed).
  let isSecured = false;
  const secured = new Promise<void>((resolve) => {
    entity.on("element", (element: Element) => {
      if (!element.is("features", NS_STREAM) || !entity.isSecure()) return;
      isSecured = true;
      resolve();
    });
  });

  // Always listening: an 'error' event without a listener would crash the process.
  let lastError: unknown = null;
  entity.on("error", (error: unknown) => {
    const name = error instanceof Error ? error.name : "";
    // The stream restart after STARTTLS can miss a fast server's header the way open() can (see
    // fetchFrom) and time out later; once secure features arrived, that timeout means nothing.
    if (name === "TimeoutError" && isSecured) return;
    lastError = error;
    onLost(error);
  });
  const onClosed = () => setImmediate(() => onLost(lastError ?? connectionLostError()));
  entity.on("close", onClosed);
  entity.on("disconnect", onClosed);
  return { entity, secured };
}

const CONDITIONS: Record<
  string,
  { code: ErrorCode; reason: RegistrationFailure; message: (domain: string) => string }
> = {
  conflict: {
    code: "invalid-argument",
    reason: "conflict",
    message: (domain) => `That username is taken on ${domain}. Choose another one.`,
  },
  "not-acceptable": {
    code: "invalid-argument",
    reason: "invalid-fields",
    message: () => "The server did not accept the form: some fields are missing or invalid.",
  },
  "bad-request": {
    code: "invalid-argument",
    reason: "invalid-fields",
    message: () => "The server did not accept the form: some fields are missing or invalid.",
  },
  "not-allowed": {
    code: "not-available",
    reason: "closed",
    message: (domain) => `The server for ${domain} does not allow creating accounts here.`,
  },
  forbidden: {
    code: "not-available",
    reason: "closed",
    message: (domain) => `The server for ${domain} does not allow creating accounts here.`,
  },
  "registration-required": {
    code: "not-available",
    reason: "closed",
    message: (domain) => `The server for ${domain} does not allow creating accounts here.`,
  },
  "service-unavailable": {
    code: "not-available",
    reason: "unsupported",
    message: (domain) => `The server for ${domain} does not offer creating accounts from an app.`,
  },
  "feature-not-implemented": {
    code: "not-available",
    reason: "unsupported",
    message: (domain) => `The server for ${domain} does not offer creating accounts from an app.`,
  },
  "resource-constraint": {
    code: "not-available",
    reason: "rate-limited",
    message: (domain) =>
      `The server for ${domain} has had too many new accounts recently. Try again later.`,
  },
};

/**
 * Maps a failure while registering to a readable error. Stanza errors get a message by condition,
 * with the server's own text appended as plain text; everything else is mapped as for sign-in.
 */
export function registrationError(error: unknown, domain: string, service?: string): WrenError {
  if (error instanceof WrenError) return error;
  if (error instanceof Error && error.name === "StanzaError") {
    const { condition, text, type } = error as Error & {
      condition?: unknown;
      text?: unknown;
      type?: unknown;
    };
    const said = typeof text === "string" ? plainText(text, 300, { multiline: true }) : "";
    // Prosody's throttle answers <policy-violation type="wait"/>.
    const known =
      condition === "policy-violation" && type === "wait"
        ? CONDITIONS["resource-constraint"]
        : typeof condition === "string"
          ? CONDITIONS[condition]
          : undefined;
    if (known) {
      const message = known.message(domain);
      return new RegistrationError(
        known.code,
        known.reason,
        said ? `${message} The server said: “${said}”` : message,
        { cause: error },
      );
    }
  }
  const host = service ? hostOf(service) : undefined;
  const mapped = toWrenError(error, { domain, host });
  if (mapped.code === "stream-closed") {
    return new RegistrationError("stream-closed", "expired", mapped.message, { cause: error });
  }
  return mapped;
}

function expiredError(): RegistrationError {
  return new RegistrationError(
    "stream-closed",
    "expired",
    "The connection for this registration form has closed. Open the form again to create the account.",
  );
}

function requireDomain(value: string): string {
  const parts = parseJid(value.trim());
  if (!parts || parts.local || parts.resource) {
    throw new WrenError("invalid-argument", `“${value}” is not a server name like example.org.`);
  }
  return parts.domain;
}

/** The address a successful registration created, when the form had a username field. */
function newJid(username: FormValues[string] | undefined, domain: string): string | null {
  const name = (Array.isArray(username) ? username[0] : username)?.trim();
  return name ? `${name.normalize("NFKC").toLowerCase()}@${domain}` : null;
}
