import { asWrenError, WrenError } from "../shared/errors";
import { createSerialQueue } from "./serial";
import {
  load as loadSettings,
  save as saveSettings,
  SETTINGS_VERSION,
  type AccountSettings,
  type LoadResult,
} from "./settings-file";

export type SettingsStore = ReturnType<typeof createSettingsStore>;

/** accounts.json as this run knows it: read once, then saved one change at a time. */
export function createSettingsStore(settingsPath: string) {
  const queue = createSerialQueue();
  /** The accounts as last saved (or loaded); every save starts from these. */
  let committed: AccountSettings[] = [];
  let loaded = false;

  /** Saves the accounts file with `change` applied to what was last saved, one save at a time. */
  function persist(change: (accounts: AccountSettings[]) => AccountSettings[]): Promise<void> {
    return queue(async () => {
      const accounts = change(committed.map((account) => ({ ...account })));
      await saveSettings(settingsPath, { version: SETTINGS_VERSION, accounts });
      committed = accounts;
    });
  }

  /** Saves `change` applied to the one account `id`. */
  function persistAccount(id: string, change: (account: AccountSettings) => AccountSettings) {
    return persist((accounts) =>
      accounts.map((account) => (account.id === id ? change(account) : account)),
    );
  }

  return {
    persist,

    persistAccount,

    /** Saves `change` to the entry's account, then applies it to the entry. */
    async change(
      entry: { settings: AccountSettings },
      change: (account: AccountSettings) => AccountSettings,
    ): Promise<void> {
      await persistAccount(entry.settings.id, change);
      entry.settings = change(entry.settings);
    },

    async load(): Promise<LoadResult> {
      if (loaded) throw new WrenError("internal", "The accounts were already loaded.");
      let result;
      try {
        result = await loadSettings(settingsPath);
      } catch (error) {
        throw asWrenError(error);
      }
      loaded = true;
      committed = result.settings.accounts;
      return result;
    },

    requireLoaded(): void {
      if (!loaded) {
        // Saving before loading would replace the file the person already has.
        throw new WrenError("internal", "Wren has not read its account settings yet.");
      }
    },
  };
}
