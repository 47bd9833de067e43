import type { Availability, CredentialStoreKind } from "./credential-store";

/**
 * Which credential store to use. Pure: the probes and the user's saved choice go in, a decision comes
 * out. Wren never falls back silently — when what was chosen (or, with no choice yet, the keychain)
 * cannot be used, the user is asked, told why, and offered only what works here.
 */

export interface StoreProbes {
  keychain: Availability;
  safeStorage: Availability;
}

export type StoreDecision =
  | { ask: false; kind: CredentialStoreKind }
  | {
      ask: true;
      /** Why the preferred store cannot be used, to show the user as is. */
      reason: string;
      /** What works here, best first; "none" (ask for the password at each connect) always does. */
      options: CredentialStoreKind[];
      /** Why a store is not among the options, for each one that is not. */
      unavailable: Partial<Record<CredentialStoreKind, string>>;
    };

export function chooseStore(probes: StoreProbes, savedChoice?: CredentialStoreKind): StoreDecision {
  const availability: Record<CredentialStoreKind, Availability> = {
    keychain: probes.keychain,
    "safe-storage": probes.safeStorage,
    none: { available: true },
  };
  // With no choice made, the keychain is the default: using it is not a fallback from anything.
  const wanted = savedChoice ?? "keychain";
  const wantedAvailability = availability[wanted];
  if (wantedAvailability.available) return { ask: false, kind: wanted };

  const options: CredentialStoreKind[] = [];
  const unavailable: Partial<Record<CredentialStoreKind, string>> = {};
  for (const kind of ["keychain", "safe-storage", "none"] as const) {
    const state = availability[kind];
    if (state.available) options.push(kind);
    else unavailable[kind] = state.reason;
  }
  return { ask: true, reason: wantedAvailability.reason, options, unavailable };
}
