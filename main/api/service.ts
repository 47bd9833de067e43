import type { SessionState, Snapshot, WrenEvent } from "../../preload/contract";
import type { CreateSession, XmppSession } from "../core/session-api";
import type { Handlers } from "./dispatch";
import { createEventBatcher } from "./event-batcher";
import { WrenError } from "./user-error";

export interface WrenServiceDeps {
  createSession: CreateSession;
  openExternal: (url: string) => Promise<void>;
  /** How long events may wait to be batched together. */
  eventWindowMs?: number;
}

export interface WrenService {
  handlers: Handlers;
  onEvents(listener: (events: WrenEvent[]) => void): () => void;
  /** Signs out and stops delivering events. */
  dispose(): Promise<void>;
}

const OFFLINE: SessionState = { state: "offline", jid: null, error: null };

/**
 * What Wren does for its renderer, independent of how commands arrive (Electron IPC or the
 * preview's WebSocket). Holds the one account session of this version.
 */
export function createWrenService(deps: WrenServiceDeps): WrenService {
  const listeners = new Set<(events: WrenEvent[]) => void>();
  const batcher = createEventBatcher({
    windowMs: deps.eventWindowMs,
    deliver: (events) => {
      for (const listener of listeners) listener(events);
    },
  });
  let session: XmppSession | null = null;
  let detach: (() => void)[] = [];

  const requireOnline = (): XmppSession => {
    if (!session || session.state().state !== "online") {
      throw new WrenError("not-signed-in", "You are not signed in.");
    }
    return session;
  };

  const forgetSession = async () => {
    const current = session;
    session = null;
    for (const off of detach) off();
    detach = [];
    if (current) await current.stop();
  };

  const attach = (next: XmppSession) => {
    const push = (event: WrenEvent) => batcher.push(event);
    detach = [
      next.on("state", (state) => push({ type: "session", session: state })),
      next.on("roster", (change) => push({ type: "roster", ...change })),
      next.on("presence", (contacts) => push({ type: "presence", contacts })),
      next.on("ownPresence", ({ show, status }) => push({ type: "own-presence", show, status })),
      next.on("message", (message) => push({ type: "messages", messages: [message] })),
      next.on("subscriptionRequest", (jid) => push({ type: "subscription-request", jid })),
      next.on("subscriptionRequestResolved", (jid) =>
        push({ type: "subscription-request-resolved", jid }),
      ),
    ];
  };

  const handlers: Handlers = {
    snapshot(): Snapshot {
      return {
        session: session?.state() ?? OFFLINE,
        roster: session?.rosterItems() ?? [],
        presence: session?.contactPresences() ?? [],
        subscriptionRequests: session?.subscriptionRequests() ?? [],
        ownPresence: session?.ownPresence() ?? { show: "online", status: "" },
      };
    },

    async signIn({ jid, password, host, port, directTls }) {
      const busy = session?.state().state;
      if (busy === "online" || busy === "connecting") {
        throw new WrenError("already-signed-in", "Sign out before signing in to another account.");
      }
      await forgetSession();
      const next = deps.createSession({ jid, password, host: host || undefined, port, directTls });
      session = next;
      attach(next);
      await next.start();
      return { jid: next.jid };
    },

    async signOut() {
      const current = session;
      await forgetSession();
      if (current) batcher.push({ type: "session", session: OFFLINE });
    },

    setPresence: ({ show, status }) => requireOnline().setPresence(show, status),
    addContact: ({ jid, name }) => requireOnline().addContact(jid, name),
    approveSubscription: ({ jid }) => requireOnline().approveSubscription(jid),
    denySubscription: ({ jid }) => requireOnline().denySubscription(jid),
    sendMessage: ({ to, body }) => requireOnline().sendMessage(to, body),
    history: ({ peer, before, limit }) => session?.history(peer, before, limit) ?? [],
    openExternal: ({ url }) => deps.openExternal(url),
  };

  return {
    handlers,
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      await forgetSession();
      batcher.flush();
      batcher.dispose();
      listeners.clear();
    },
  };
}
