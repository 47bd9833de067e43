import type { Client, Element } from "@xmpp/client";
import { errorName } from "../../shared/errors";
import { createLogger } from "../../shared/log";
import { withDeadline } from "../../shared/timeouts";
import { destroySocket } from "../connection";
import type { RegistrationForm } from "../stanzas/register";
import { REQUEST_TIMEOUT_MS } from "./client";
import { expiredError } from "./errors";

const log = createLogger("core/registration");

/** A form left unanswered this long is closed; its stream would otherwise stay open forever. */
export const IDLE_TIMEOUT_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 3_000;

/**
 * The open stream a form was fetched on, kept until the form is submitted, cancelled, lost or left
 * idle for IDLE_TIMEOUT_MS. Opaque outside this folder.
 */
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
    lost.catch((error: unknown) => {
      // After close() this is only the stream ending as asked.
      if (!this.#closed) {
        log.info("a registration form's stream was lost", { domain, error: errorName(error) });
      }
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

  /** A request is waiting for its answer; there is only ever one at a time. */
  get busy(): boolean {
    return this.#busy;
  }

  get form(): RegistrationForm {
    return this.#form;
  }

  /** Sends `iq` and waits for the answer (or the stream's loss). Restarts the idle timeout. */
  async request(iq: Element): Promise<Element> {
    if (this.#closed) throw expiredError();
    this.#busy = true;
    this.#touch();
    try {
      return await Promise.race([
        this.#entity.iqCaller.request(iq, REQUEST_TIMEOUT_MS),
        this.#lost,
      ]);
    } finally {
      this.#busy = false;
    }
  }

  /** Closes the stream (politely if it can). Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#markClosed();
    try {
      await withDeadline(this.#entity.stop(), STOP_TIMEOUT_MS, () => new Error("stop timed out"));
    } catch (error) {
      // The socket is dropped below either way.
      log.info("could not close a registration stream politely", { error: errorName(error) });
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
