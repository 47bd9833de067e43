import type { WrenError } from "../../shared/errors";
import { connectionLostError, isWorthAnotherAddress } from "../errors";
import { RedirectError } from "../transport/see-other-host";

export interface EndpointTries<T> {
  /** One attempt at one endpoint URI (from resolveEndpoints). */
  attempt: (service: string) => Promise<T>;
  /** What a failed attempt means for the person. */
  toError: (error: unknown, service: string) => WrenError;
  /** Runs before each attempt and after each failure; throws to stop (a cancelled sign-in). */
  check?: () => void;
  /** Cleans up after a failed attempt, before the next one. */
  afterFailure?: (error: WrenError | RedirectError) => void;
  /** see-other-host hops to follow (the redirect itself is guarded in transport/). Default 0. */
  maxRedirects?: number;
}

/**
 * Tries the endpoints in order until one works: a failure that another address might not have
 * (refused, unreachable, timed out) moves on; anything else — a wrong password, a bad certificate —
 * is the answer. Rejects with the last failure.
 */
export async function tryEndpoints<T>(services: string[], tries: EndpointTries<T>): Promise<T> {
  const queue = [...services];
  let last: WrenError | null = null;
  let redirects = 0;
  for (let service = queue.shift(); service; service = queue.shift()) {
    tries.check?.();
    try {
      return await tries.attempt(service);
    } catch (error) {
      tries.check?.();
      if (error instanceof RedirectError && redirects < (tries.maxRedirects ?? 0)) {
        redirects += 1;
        tries.afterFailure?.(error);
        queue.unshift(error.service);
        continue;
      }
      last = tries.toError(error, service);
      tries.afterFailure?.(last);
      if (!isWorthAnotherAddress(last)) throw last;
    }
  }
  throw last ?? connectionLostError();
}
