import { describe, expect, it, vi } from "vitest";
import type { SessionState, WrenEvent } from "../../../preload/contract";
import { createWrenService } from "../../../main/api/service";
import { WrenError } from "../../../main/api/user-error";
import type { SessionEvents, SessionOptions, XmppSession } from "../../../main/core/session-api";

/** A stand-in session with just enough behaviour to drive the service's own logic. */
function fakeSession(options: SessionOptions, startResult: "online" | WrenError) {
  const listeners = new Map<keyof SessionEvents, Set<(...args: unknown[]) => void>>();
  let state: SessionState = { state: "offline", jid: options.jid, error: null };
  const emit = (event: keyof SessionEvents, ...args: unknown[]) =>
    listeners.get(event)?.forEach((listener) => listener(...args));
  const setState = (next: SessionState) => {
    state = next;
    emit("state", next);
  };
  const session = {
    jid: options.jid,
    emit,
    start: vi.fn(async () => {
      setState({ state: "connecting", jid: options.jid, error: null });
      if (startResult instanceof WrenError) {
        setState({ state: "error", jid: options.jid, error: startResult.toUserError() });
        throw startResult;
      }
      setState({ state: "online", jid: options.jid, error: null });
    }),
    stop: vi.fn(async () => setState({ state: "offline", jid: options.jid, error: null })),
    state: () => state,
    rosterItems: () => [],
    contactPresences: () => [],
    subscriptionRequests: () => [],
    ownPresence: () => ({ show: "online" as const, status: "" }),
    setPresence: vi.fn(async () => {}),
    addContact: vi.fn(async () => {}),
    approveSubscription: vi.fn(async () => {}),
    denySubscription: vi.fn(async () => {}),
    sendMessage: vi.fn(),
    history: vi.fn(() => []),
    on(event: keyof SessionEvents, listener: (...args: unknown[]) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
      return () => listeners.get(event)!.delete(listener);
    },
  };
  return session as unknown as XmppSession & { emit: typeof emit; stop: typeof session.stop };
}

function setup(startResult: "online" | WrenError = "online") {
  const sessions: ReturnType<typeof fakeSession>[] = [];
  const service = createWrenService({
    createSession: (options) => {
      const session = fakeSession(options, startResult);
      sessions.push(session);
      return session;
    },
    openExternal: async () => {},
    eventWindowMs: 0,
  });
  const batches: WrenEvent[][] = [];
  service.onEvents((events) => batches.push(events));
  return { service, sessions, batches };
}

const signInArgs = { jid: "alice@example.org", password: "pw", directTls: false };

describe("createWrenService", () => {
  it("starts a session and reports its state as events", async () => {
    const { service, batches } = setup();
    await expect(service.handlers.signIn(signInArgs)).resolves.toEqual({
      jid: "alice@example.org",
    });
    await vi.waitFor(() => expect(batches.length).toBeGreaterThan(0));
    const states = batches
      .flat()
      .flatMap((event) => (event.type === "session" ? [event.session.state] : []));
    expect(states).toEqual(["connecting", "online"]);
  });

  it("rejects commands that need a connection while signed out", async () => {
    const { service } = setup();
    expect(() => service.handlers.sendMessage({ to: "bob@example.org", body: "hi" })).toThrow(
      expect.objectContaining({ code: "not-signed-in" }),
    );
  });

  it("keeps a failed sign-in's error in the snapshot", async () => {
    const { service } = setup(new WrenError("auth-failed", "Wrong password."));
    await expect(service.handlers.signIn(signInArgs)).rejects.toMatchObject({
      code: "auth-failed",
    });
    const snapshot = await service.handlers.snapshot({});
    expect(snapshot.session).toEqual({
      state: "error",
      jid: "alice@example.org",
      error: { code: "auth-failed", message: "Wrong password." },
    });
  });

  it("refuses a second sign-in while online, and allows it after signing out", async () => {
    const { service, sessions } = setup();
    await service.handlers.signIn(signInArgs);
    await expect(service.handlers.signIn(signInArgs)).rejects.toMatchObject({
      code: "already-signed-in",
    });
    await service.handlers.signOut({});
    expect(sessions[0]!.stop).toHaveBeenCalled();
    await service.handlers.signIn(signInArgs);
    expect(sessions).toHaveLength(2);
  });

  it("stops forwarding a session's events once it is signed out", async () => {
    const { service, sessions, batches } = setup();
    await service.handlers.signIn(signInArgs);
    await service.handlers.signOut({});
    await new Promise((resolve) => setTimeout(resolve, 5));
    batches.length = 0;
    sessions[0]!.emit("subscriptionRequest", "mallory@example.org");
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([]);
  });

  it("signs out on dispose", async () => {
    const { service, sessions } = setup();
    await service.handlers.signIn(signInArgs);
    await service.dispose();
    expect(sessions[0]!.stop).toHaveBeenCalled();
  });
});
