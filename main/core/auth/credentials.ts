import type { MechanismPin } from "../sasl/choose-mechanism";

/** What one sign-in authenticates with, and the strongest mechanism the account has seen. */
export interface Credentials {
  username: string;
  /** Empty when the account signs in with a client certificate (SASL EXTERNAL) instead. */
  password: string;
  /** Sign in with the TLS client certificate (XEP-0178) rather than the password. */
  certificate: boolean;
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
