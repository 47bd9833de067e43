import type { ContactPresence, Show } from "../../preload/contract";

/** What a contact's dot shows: one of XMPP's `show` values, or offline when no resource is online. */
export type PresenceKind = Show | "offline";

export const PRESENCE_LABELS: Record<PresenceKind, string> = {
  online: "Available",
  chat: "Free to chat",
  away: "Away",
  xa: "Extended away",
  dnd: "Do not disturb",
  offline: "Offline",
};

/** The choices of the own-presence selector, in the order people expect them. */
export const OWN_SHOW_OPTIONS: readonly Show[] = ["online", "chat", "away", "xa", "dnd"];

// Sort order of the roster: reachable people first, then the less reachable, offline last.
const RANKS: Record<PresenceKind, number> = {
  chat: 0,
  online: 0,
  away: 1,
  xa: 2,
  dnd: 3,
  offline: 4,
};

export function presenceKind(presence: ContactPresence | null | undefined): PresenceKind {
  return presence?.best?.show ?? "offline";
}

export function presenceRank(kind: PresenceKind): number {
  return RANKS[kind];
}
