import type { ChatHistory } from "../core/features/chat/message-record";
import { ThisRunHistory } from "../core/features/chat/this-run-history";
import type { AccountSettings } from "./settings-file";

// Whether an account keeps its messages on this computer, and where they go either way.

/** Absent in the settings means yes: accounts kept their history before there was a choice. */
export function keepsHistory(settings: AccountSettings): boolean {
  return settings.keepHistory !== false;
}

/** `settings` keeping history or not; only "not" is written down, the default stays absent. */
export function withKeepHistory(settings: AccountSettings, keep: boolean): AccountSettings {
  const { keepHistory: _, ...rest } = settings;
  return keep ? rest : { ...rest, keepHistory: false };
}

/**
 * Where the account's messages go: `kept` (the database) when it keeps history, else memory for
 * this run only, in front of `kept` so that deleting a conversation still reaches what it stored.
 */
export function historyFor(settings: AccountSettings, kept: ChatHistory): ChatHistory {
  return keepsHistory(settings) ? kept : new ThisRunHistory(kept);
}
