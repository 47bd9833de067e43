import { vi } from "vitest";
import type {
  ChatMessage,
  ContactPresence,
  Envelope,
  RosterItem,
  Show,
  Snapshot,
  WrenApi,
  WrenEvent,
} from "../../preload/contract";

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function fail(message: string, code: "auth-failed" | "internal" = "internal") {
  return { ok: false as const, error: { code, message } };
}

export function rosterItem(jid: string, name = ""): RosterItem {
  return { jid, name, groups: [], subscription: "both", pendingOut: false };
}

export function presence(jid: string, show: Show | null, status = ""): ContactPresence {
  return {
    jid,
    best: show === null ? null : { resource: "laptop", show, status, priority: 0 },
    resourceCount: show === null ? 0 : 1,
  };
}

let nextId = 1;
export function message(peer: string, body: string, overrides: Partial<ChatMessage> = {}) {
  return {
    id: `m${nextId++}`,
    peer,
    direction: "in",
    body,
    timestamp: Date.UTC(2024, 4, 1, 12, 0, nextId),
    delayed: false,
    ...overrides,
  } satisfies ChatMessage;
}

/** Many contacts with deterministic names and a mix of presences. */
export function manyContacts(count: number): { roster: RosterItem[]; presence: ContactPresence[] } {
  const shows: (Show | null)[] = ["online", null, "away", null, "dnd", "xa", null, "chat"];
  const roster: RosterItem[] = [];
  const presences: ContactPresence[] = [];
  for (let i = 0; i < count; i++) {
    const jid = `user${String(i).padStart(5, "0")}@example.org`;
    roster.push(rosterItem(jid, `Person ${i}`));
    presences.push(presence(jid, shows[i % shows.length] ?? null));
  }
  return { roster, presence: presences };
}

export function onlineSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    session: { state: "online", jid: "me@example.org", error: null },
    roster: [],
    presence: [],
    subscriptionRequests: [],
    ownPresence: { show: "online", status: "" },
    ...overrides,
  };
}

export const offlineSnapshot: Snapshot = {
  session: { state: "offline", jid: null, error: null },
  roster: [],
  presence: [],
  subscriptionRequests: [],
  ownPresence: { show: "online", status: "" },
};

export type FakeApi = WrenApi & {
  /** Delivers a batch to every onEvents listener, as main would. */
  emit(events: WrenEvent[]): void;
  listenerCount(): number;
};

/** A WrenApi whose commands are vi.fn()s answering `ok`, with overridable replies. */
export function createFakeApi(snapshot: Snapshot = offlineSnapshot): FakeApi {
  const listeners = new Set<(events: WrenEvent[]) => void>();
  const api = {
    snapshot: vi.fn(async () => ok(snapshot)),
    signIn: vi.fn(async ({ jid }: { jid: string }) => ok({ jid })),
    signOut: vi.fn(async () => ok(undefined)),
    setPresence: vi.fn(async () => ok(undefined)),
    addContact: vi.fn(async () => ok(undefined)),
    approveSubscription: vi.fn(async () => ok(undefined)),
    denySubscription: vi.fn(async () => ok(undefined)),
    sendMessage: vi.fn(async ({ to, body }: { to: string; body: string }) =>
      ok(message(to, body, { direction: "out", timestamp: Date.now() })),
    ),
    history: vi.fn(async () => ok([] as ChatMessage[])),
    openExternal: vi.fn(async () => ok(undefined)),
    onEvents(listener: (events: WrenEvent[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(events: WrenEvent[]) {
      for (const listener of listeners) listener(events);
    },
    listenerCount: () => listeners.size,
  };
  return api as unknown as FakeApi;
}
