import { describe, expect, it, vi } from "vitest";
import { createDispatch, type Handlers } from "../../../main/api/dispatch";
import { WrenError } from "../../../main/shared/errors";

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const unused = () => {
    throw new Error("not expected in this test");
  };
  return {
    snapshot: unused,
    addAccount: unused,
    updateAccount: unused,
    setAccountEnabled: unused,
    trustCertificate: unused,
    acceptWeakerSignIn: unused,
    forgetTrustedCertificate: unused,
    removeAccount: unused,
    reconnect: unused,
    goOffline: unused,
    chooseCredentialStore: unused,
    fetchRegistrationForm: unused,
    submitRegistration: unused,
    cancelRegistration: unused,
    pickClientCertificate: unused,
    discardClientCertificate: unused,
    setPresence: unused,
    addContact: unused,
    approveSubscription: unused,
    denySubscription: unused,
    beginFile: unused,
    appendFile: unused,
    finishFile: unused,
    discardFile: unused,
    sendFile: unused,
    cancelTransfer: unused,
    retryTransfer: unused,
    dismissTransfer: unused,
    fileInfo: unused,
    filePreview: unused,
    downloadFile: unused,
    openDownload: unused,
    showDownload: unused,
    sendMessage: unused,
    correctMessage: unused,
    sendChatState: unused,
    history: unused,
    conversations: unused,
    markRead: unused,
    search: unused,
    deleteHistory: unused,
    openExternal: unused,
    ...overrides,
  };
}

describe("createDispatch", () => {
  it("runs the handler with parsed arguments and wraps the value", async () => {
    const addContact = vi.fn(async () => undefined);
    const dispatch = createDispatch(handlers({ addContact }));
    const envelope = await dispatch("addContact", {
      accountId: "a1",
      jid: "  bob@example.org ",
      name: "Bob",
    });
    expect(envelope).toEqual({ ok: true, value: undefined });
    expect(addContact).toHaveBeenCalledWith({
      accountId: "a1",
      jid: "bob@example.org",
      name: "Bob",
    });
  });

  it("refuses invalid arguments without calling the handler", async () => {
    const sendMessage = vi.fn();
    const dispatch = createDispatch(handlers({ sendMessage }));
    const envelope = await dispatch("sendMessage", {
      accountId: "a1",
      to: "bob@example.org",
      body: "",
    });
    expect(envelope.ok).toBe(false);
    expect(!envelope.ok && envelope.error.code).toBe("invalid-argument");
    expect(sendMessage).not.toHaveBeenCalled();
  });

  it("refuses unknown keys, so nothing unexpected reaches a handler", async () => {
    const goOffline = vi.fn();
    const dispatch = createDispatch(handlers({ goOffline }));
    const envelope = await dispatch("goOffline", { extra: true });
    expect(envelope.ok).toBe(false);
    expect(goOffline).not.toHaveBeenCalled();
  });

  it("refuses a command the contract does not declare", async () => {
    const dispatch = createDispatch(handlers());
    const envelope = await dispatch("toString" as never, {});
    expect(envelope).toEqual({
      ok: false,
      error: { code: "invalid-argument", message: "Unknown command." },
    });
  });

  it("passes a WrenError's code and message through", async () => {
    const dispatch = createDispatch(
      handlers({
        goOffline: () => {
          throw new WrenError("not-signed-in", "You are not signed in.");
        },
      }),
    );
    expect(await dispatch("goOffline", {})).toEqual({
      ok: false,
      error: { code: "not-signed-in", message: "You are not signed in." },
    });
  });

  it("hides a bug's details behind an internal error and reports it", async () => {
    const onInternalError = vi.fn();
    const dispatch = createDispatch(
      handlers({
        snapshot: () => {
          throw new TypeError("cannot read x of undefined at /home/secret/path.ts");
        },
      }),
      { onInternalError },
    );
    const envelope = await dispatch("snapshot", {});
    expect(envelope.ok).toBe(false);
    expect(!envelope.ok && envelope.error.code).toBe("internal");
    expect(JSON.stringify(envelope)).not.toContain("secret");
    expect(onInternalError).toHaveBeenCalledWith("snapshot", expect.any(TypeError));
  });

  it("reports an internal WrenError too (its message points to the log), but no other", async () => {
    const onInternalError = vi.fn();
    const internal = new WrenError("internal", "Something went wrong inside Wren.", {
      cause: new RangeError("deep"),
    });
    const dispatch = createDispatch(
      handlers({
        snapshot: () => {
          throw internal;
        },
        goOffline: () => {
          throw new WrenError("not-signed-in", "You are not signed in.");
        },
      }),
      { onInternalError },
    );
    expect(await dispatch("snapshot", {})).toMatchObject({
      ok: false,
      error: { code: "internal" },
    });
    await dispatch("goOffline", {});
    expect(onInternalError).toHaveBeenCalledTimes(1);
    expect(onInternalError).toHaveBeenCalledWith("snapshot", internal);
  });
});
