import type { CredentialStore } from "../credentials/credential-store";
import type { Logger } from "../shared/log";
import type { AccountRegistry } from "./account-registry";
import type { AccountReports } from "./account-reports";
import type { AccountSecrets } from "./account-secrets";
import type { AccountSessions } from "./account-sessions";
import type { SettingsStore } from "./settings-store";

/** The parts of the account manager its operations are written against. */
export interface AccountsContext {
  log: Logger;
  credentials: CredentialStore;
  accounts: AccountRegistry;
  reports: AccountReports;
  settings: SettingsStore;
  secrets: AccountSecrets;
  sessions: AccountSessions;
  isDisposed: () => boolean;
  removeLocalData?: (accountId: string) => Promise<void>;
}
