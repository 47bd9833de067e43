import type { ChatMessage, ContactPresence, RosterItem, SessionState, Show } from "./types";

/**
 * Everything main pushes to the renderer. Main batches them: one IPC message carries every event
 * of a short window, so a 5,000-contact roster or a burst of presence costs a handful of messages.
 */
export type WrenEvent =
  | { type: "session"; session: SessionState }
  | { type: "roster"; upserted: RosterItem[]; removed: string[]; reset: boolean }
  | { type: "presence"; contacts: ContactPresence[] }
  | { type: "own-presence"; show: Show; status: string }
  | { type: "messages"; messages: ChatMessage[] }
  | { type: "subscription-request"; jid: string }
  | { type: "subscription-request-resolved"; jid: string };

export const EVENTS_CHANNEL = "wren:events";
