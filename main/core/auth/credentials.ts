import type { MechanismPin } from "../sasl/choose-mechanism";

/** What one sign-in authenticates with, and the strongest mechanism the account has seen. */
export interface Credentials {
  username: string;
  password: string;
  domain: string;
  pin: MechanismPin | null;
}

/** How a sign-in authenticated, for the account's record and the person's information. */
export interface AuthOutcome {
  mechanism: string;
  channelBinding: string | null;
  /** PLAIN was the only choice: the password went to the server as is, inside TLS. */
  plainWarning: boolean;
  /** The pin to remember from now on (never weaker than before). */
  pin: MechanismPin;
}
