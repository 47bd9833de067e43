import type {
  AccountSummary,
  CatchUpProgress,
  ChatMessage,
  ChatState,
  ContactPresence,
  MessageChange,
  RosterItem,
  Show,
  Transfer,
} from "./types";

/**
 * Everything main pushes to the renderer. Main batches them: one IPC message carries every event
 * of a short window, so a 5,000-contact roster or a burst of presence costs a handful of messages.
 */
export type WrenEvent =
  /** An account was added or changed (settings, enabled, connection state, last error). */
  | { type: "account"; account: AccountSummary }
  | { type: "account-removed"; accountId: string }
  | {
      type: "roster";
      accountId: string;
      upserted: RosterItem[];
      removed: string[];
      reset: boolean;
    }
  | { type: "presence"; accountId: string; contacts: ContactPresence[] }
  | { type: "own-presence"; accountId: string; show: Show; status: string }
  | { type: "messages"; accountId: string; messages: ChatMessage[] }
  /** Delivery ticks and corrections of messages already told. */
  | { type: "message-changes"; accountId: string; changes: MessageChange[] }
  | { type: "chat-state"; accountId: string; peer: string; state: ChatState }
  /** The conversation was read (here or on another of the person's devices): unread is 0. */
  | { type: "conversation-read"; accountId: string; peer: string }
  | { type: "catch-up"; accountId: string; progress: CatchUpProgress }
  | { type: "subscription-request"; accountId: string; jid: string }
  | { type: "subscription-request-resolved"; accountId: string; jid: string }
  /** Uploads and downloads that started or moved on (at most about ten times a second each). */
  | { type: "transfers"; changed: Transfer[]; removed: string[] };

export const EVENTS_CHANNEL = "wren:events";
