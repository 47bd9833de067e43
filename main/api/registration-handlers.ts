import { randomBytes } from "node:crypto";
import type { RegistrationForm } from "../../preload/contract";
import {
  cancelRegistration,
  fetchRegistrationForm,
  IDLE_TIMEOUT_MS,
  RegistrationError,
  submitRegistration,
  type FormValues,
  type RegistrationTarget,
} from "../core/registration";
import type { Handlers } from "./dispatch";
import { toSummary } from "./account-view";
import type { ServiceContext } from "./service-context";
import { errorName } from "../shared/errors";
import { WrenError } from "../shared/errors";

/** In-band registration as the service uses it; the core's by default, fakes in tests. */
export interface RegistrationFunctions<Handle = unknown> {
  fetch(target: RegistrationTarget): Promise<{ form: RegistrationForm; handle: Handle }>;
  submit(handle: Handle, values: FormValues): Promise<{ jid: string | null }>;
  cancel(handle: Handle): Promise<void>;
}

export const coreRegistration: RegistrationFunctions<Parameters<typeof submitRegistration>[0]> = {
  fetch: fetchRegistrationForm,
  submit: submitRegistration,
  cancel: cancelRegistration,
};

export interface RegistrationOptions {
  functions?: RegistrationFunctions;
  /** A form left unanswered this long is closed. */
  ttlMs?: number;
  /** Forms open at once; opening another closes the oldest. */
  maxOpen?: number;
}

interface OpenForm {
  handle: unknown;
  target: RegistrationTarget;
  timer: ReturnType<typeof setTimeout>;
  busy: boolean;
}

type RegistrationHandlers = Pick<
  Handlers,
  "fetchRegistrationForm" | "submitRegistration" | "cancelRegistration"
>;

/**
 * Registration forms the person has open, by a random id: the open stream (handle) never leaves
 * main. Values typed into a form are never logged; the password goes to the new account only.
 */
export function createRegistrationHandlers(
  context: ServiceContext,
  options: RegistrationOptions = {},
): RegistrationHandlers & { dispose(): Promise<void> } {
  const functions: RegistrationFunctions = options.functions ?? coreRegistration;
  const ttlMs = options.ttlMs ?? IDLE_TIMEOUT_MS;
  const maxOpen = options.maxOpen ?? 4;
  const { log } = context;
  const open = new Map<string, OpenForm>();

  const close = async (formId: string): Promise<void> => {
    const form = open.get(formId);
    if (!form) return;
    open.delete(formId);
    clearTimeout(form.timer);
    await functions
      .cancel(form.handle)
      .catch((error: unknown) =>
        log.warn("closing a registration form failed", { error: errorName(error) }),
      );
  };

  const expireLater = (formId: string) =>
    setTimeout(() => {
      log.info("a registration form expired", { domain: open.get(formId)?.target.domain });
      void close(formId);
    }, ttlMs);

  return {
    async fetchRegistrationForm({ domain, host, port, directTls, trustedCertificate }) {
      const target: RegistrationTarget = {
        domain,
        host: host || undefined,
        port,
        directTls,
        ...(trustedCertificate && { trustedCertificate }),
      };
      const { form, handle } = await functions.fetch(target);
      while (open.size >= maxOpen) await close(open.keys().next().value as string);
      const formId = randomBytes(16).toString("base64url");
      const timer = expireLater(formId);
      timer.unref?.();
      open.set(formId, { handle, target, timer, busy: false });
      log.info("registration form fetched", { domain: target.domain, kind: form.kind });
      return { formId, form: copyForm(form) };
    },

    async submitRegistration({ formId, values, savePassword }) {
      const form = open.get(formId);
      if (!form) {
        throw new WrenError(
          "invalid-argument",
          "This registration form is no longer open. Open the form again to create the account.",
        );
      }
      if (form.busy) {
        throw new WrenError(
          "invalid-argument",
          "The form is already being sent. Wait for the answer.",
        );
      }
      form.busy = true;
      clearTimeout(form.timer);
      let registered: { jid: string | null };
      try {
        registered = await functions.submit(form.handle, values);
      } catch (error) {
        form.busy = false;
        if (open.get(formId) === form && mayRetry(error)) {
          form.timer = expireLater(formId);
          form.timer.unref?.();
        } else {
          await close(formId);
        }
        log.info("registration failed", { domain: form.target.domain, error: errorName(error) });
        throw error;
      }
      open.delete(formId);
      const { domain, host, port, directTls, trustedCertificate } = form.target;
      const jid = registered.jid ?? jidFrom(first(values.username), domain);
      const password = first(values.password);
      log.info("account registered", { domain });
      if (!jid || !password) {
        throw new WrenError(
          "not-available",
          `Your account on ${domain} was created, but Wren could not tell its address or password from the form. Add it with the address and password you chose.`,
        );
      }
      try {
        const account = await context.accounts.add({
          jid,
          password,
          host,
          port,
          directTls,
          savePassword,
          ...(trustedCertificate && { trustedCertificate }),
        });
        if (savePassword && context.credentials.status().kind === null) {
          context.saveWhenDecided.add(account.id);
        }
        return toSummary(account);
      } catch (error) {
        const cause = error instanceof WrenError ? error : null;
        throw new WrenError(
          cause?.code ?? "internal",
          `Your account ${jid} was created, but adding it to Wren failed: ${cause?.message ?? "something went wrong inside Wren."} Add it with the address and password you chose.`,
          { cause: error },
        );
      }
    },

    async cancelRegistration({ formId }) {
      await close(formId);
    },

    async dispose() {
      await Promise.all([...open.keys()].map(close));
    },
  };
}

/** A taken name or a field to correct: the same form (and stream) may be sent again. */
function mayRetry(error: unknown): boolean {
  if (error instanceof RegistrationError) {
    return error.reason === "conflict" || error.reason === "invalid-fields";
  }
  return error instanceof WrenError && error.code === "invalid-argument";
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

function jidFrom(username: string | undefined, domain: string): string | null {
  const name = username?.trim();
  return name ? `${name.normalize("NFKC").toLowerCase()}@${domain}` : null;
}

function copyForm(form: RegistrationForm): RegistrationForm {
  return {
    kind: form.kind,
    title: form.title,
    instructions: form.instructions,
    url: form.url,
    fields: form.fields.map((field) => ({
      ...field,
      options: field.options.map((option) => ({ ...option })),
      values: [...field.values],
    })),
  };
}
