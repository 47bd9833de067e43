import "./quiet-log";
import { describe, expect, it, vi } from "vitest";
import { commandChannel, commandNames, type CommandName } from "../../../preload/contract";
import { createDispatch, type Handlers } from "../../../main/api/dispatch";
import { WrenError } from "../../../main/shared/errors";
import {
  createSenderCheck,
  registerCommands,
  removeCommands,
  type InvokeEvent,
  type IpcMainLike,
  type SenderFrame,
} from "../../../main/ipc";
import { createOwnUrlCheck } from "../../../main/own-origin";

type Listener = (event: InvokeEvent, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const handle = vi.fn((channel: string, listener: Listener) => {
    // Electron throws on a second handler for a channel; so does the fake.
    if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    handlers.set(channel, listener);
  });
  const removeHandler = vi.fn((channel: string) => void handlers.delete(channel));
  const ipcMain: IpcMainLike = { handle, removeHandler };
  const invoke = (name: CommandName, event: InvokeEvent, args: unknown) => {
    const listener = handlers.get(commandChannel(name));
    if (!listener) throw new Error(`no handler for ${name}`);
    return Promise.resolve(listener(event, args));
  };
  return { ipcMain, handlers, handle, removeHandler, invoke };
}

const mainFrame = (url: string): SenderFrame => ({ url, parent: null });
const subFrame = (url: string): SenderFrame => ({
  url,
  parent: mainFrame("app://wren/index.html"),
});
const from = (frame: SenderFrame | null): InvokeEvent => ({ senderFrame: frame });
const trusted = from(mainFrame("app://wren/index.html"));

function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const fail = () => {
    throw new Error("not expected in this test");
  };
  const base = Object.fromEntries(
    commandNames.map((name) => [name, vi.fn(fail)]),
  ) as unknown as Handlers;
  return { ...base, ...overrides };
}

function setUp(handlers: Handlers, origins = ["app://wren"]) {
  const ipc = fakeIpcMain();
  registerCommands(
    ipc.ipcMain,
    createDispatch(handlers),
    createSenderCheck(createOwnUrlCheck(origins)),
  );
  return ipc;
}

describe("createSenderCheck", () => {
  const check = createSenderCheck(createOwnUrlCheck(["app://wren"]));

  it("trusts the main frame of Wren's page only", () => {
    expect(check(trusted)).toBe(true);
    expect(check(from(subFrame("app://wren/index.html")))).toBe(false);
    expect(check(from(mainFrame("https://evil.example/")))).toBe(false);
    expect(check(from(mainFrame("app://evil/index.html")))).toBe(false);
    expect(check(from(mainFrame("file:///home/me/evil.html")))).toBe(false);
    expect(check(from(null))).toBe(false);
  });
});

describe("registerCommands", () => {
  it("registers exactly one handler per command, on the contract's channel", () => {
    const { handle, handlers } = setUp(fakeHandlers());
    expect(handle).toHaveBeenCalledTimes(commandNames.length);
    expect([...handlers.keys()].sort()).toEqual(commandNames.map(commandChannel).sort());
  });

  it("runs the handler for a trusted sender and wraps the result", async () => {
    const addContact = vi.fn(async () => {});
    const { invoke } = setUp(fakeHandlers({ addContact }));
    const result = await invoke("addContact", trusted, {
      accountId: "a1",
      jid: "bob@example.org",
      name: "Bob",
    });
    expect(result).toEqual({ ok: true, value: undefined });
    expect(addContact).toHaveBeenCalledExactlyOnceWith({
      accountId: "a1",
      jid: "bob@example.org",
      name: "Bob",
    });
  });

  it.each([
    ["another origin", from(mainFrame("https://evil.example/"))],
    ["a subframe of Wren's page", from(subFrame("app://wren/index.html"))],
    ["a frame that is gone", from(null)],
    ["the dev server when not in dev", from(mainFrame("http://localhost:5173/"))],
  ])("refuses %s without calling the handler", async (_label, event) => {
    const goOffline = vi.fn(async () => {});
    const { invoke } = setUp(fakeHandlers({ goOffline }));
    const result = await invoke("goOffline", event, {});
    expect(result).toMatchObject({ ok: false, error: { code: "not-available" } });
    expect(goOffline).not.toHaveBeenCalled();
  });

  it("accepts the dev server's main frame when it is an own origin", async () => {
    const goOffline = vi.fn(async () => {});
    const { invoke } = setUp(fakeHandlers({ goOffline }), ["app://wren", "http://localhost:5173"]);
    expect(await invoke("goOffline", from(mainFrame("http://localhost:5173/")), {})).toEqual({
      ok: true,
      value: undefined,
    });
    expect(goOffline).toHaveBeenCalledOnce();
  });

  it("answers invalid arguments with invalid-argument and does not call the handler", async () => {
    const sendMessage = vi.fn();
    const { invoke } = setUp(fakeHandlers({ sendMessage }));
    for (const args of [
      undefined,
      "bob@example.org",
      { to: "bob@example.org" },
      { to: "bob@example.org", body: "hi", extra: true },
      { to: "not a jid at all", body: "hi" },
    ]) {
      const result = await invoke("sendMessage", trusted, args);
      expect(result, JSON.stringify(args)).toMatchObject({
        ok: false,
        error: { code: "invalid-argument" },
      });
    }
    expect(sendMessage).not.toHaveBeenCalled();
  });

  it("turns handler errors into envelopes instead of rejecting", async () => {
    const { invoke } = setUp(
      fakeHandlers({
        goOffline: async () => {
          throw new WrenError("not-signed-in", "You are not signed in.");
        },
        setPresence: async () => {
          throw new TypeError("a bug with a stack trace and secrets");
        },
      }),
    );
    expect(await invoke("goOffline", trusted, {})).toEqual({
      ok: false,
      error: { code: "not-signed-in", message: "You are not signed in." },
    });
    const internal = await invoke("setPresence", trusted, { show: "away", status: "" });
    expect(internal).toMatchObject({ ok: false, error: { code: "internal" } });
    expect(JSON.stringify(internal)).not.toContain("secrets");
  });

  it("still answers with an envelope if dispatch itself throws", async () => {
    const ipc = fakeIpcMain();
    registerCommands(
      ipc.ipcMain,
      async () => {
        throw new Error("boom");
      },
      () => true,
    );
    expect(await ipc.invoke("snapshot", trusted, {})).toMatchObject({
      ok: false,
      error: { code: "internal" },
    });
  });
});

describe("removeCommands", () => {
  it("removes every handler, so they can be registered again", () => {
    const ipc = setUp(fakeHandlers());
    removeCommands(ipc.ipcMain);
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.removeHandler).toHaveBeenCalledTimes(commandNames.length);
    expect(() =>
      registerCommands(ipc.ipcMain, createDispatch(fakeHandlers()), () => true),
    ).not.toThrow();
  });
});
