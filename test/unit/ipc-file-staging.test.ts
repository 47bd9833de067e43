import { describe, expect, it, vi } from "vitest";
import { STAGE_FILE_CHANNEL, type StagedFile } from "../../preload/contract";
import {
  createSenderCheck,
  registerFileStaging,
  removeFileStaging,
  type InvokeEvent,
  type IpcMainLike,
  type SenderFrame,
  type StageFromDisk,
} from "../../main/ipc";
import { createOwnUrlCheck } from "../../main/own-origin";
import { WrenError } from "../../main/shared/errors";

type Listener = (event: InvokeEvent, ...args: unknown[]) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle: vi.fn((channel: string, listener: Listener) => {
      // Electron throws on a second handler for a channel; so does the fake.
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    }),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };
  return { ipcMain, handlers };
}

const mainFrame = (url: string): SenderFrame => ({ url, parent: null });
const from = (frame: SenderFrame | null): InvokeEvent => ({ senderFrame: frame });
const trusted = from(mainFrame("app://wren/index.html"));

const STAGED: StagedFile = { token: "tok", name: "notes.txt", size: 5, mediaType: "text/plain" };

function setup(stage: StageFromDisk = vi.fn(async () => STAGED)) {
  const ipc = fakeIpcMain();
  registerFileStaging(ipc.ipcMain, stage, createSenderCheck(createOwnUrlCheck(["app://wren"])));
  const invoke = (event: InvokeEvent, ...args: unknown[]) => {
    const listener = ipc.handlers.get(STAGE_FILE_CHANNEL);
    if (!listener) throw new Error("no handler for the staging channel");
    return Promise.resolve(listener(event, ...args));
  };
  return { ...ipc, stage, invoke };
}

const args = { path: "/home/me/notes.txt", name: "notes.txt", mediaType: "text/plain" };

describe("registerFileStaging", () => {
  it("registers one handler, on preload's staging channel", () => {
    const { ipcMain, handlers } = setup();
    expect(ipcMain.handle).toHaveBeenCalledOnce();
    expect([...handlers.keys()]).toEqual([STAGE_FILE_CHANNEL]);
  });

  it("stages the file preload named, and answers with it", async () => {
    const { invoke, stage } = setup();
    expect(await invoke(trusted, args)).toEqual({ ok: true, value: STAGED });
    expect(stage).toHaveBeenCalledExactlyOnceWith("/home/me/notes.txt", "notes.txt", "text/plain");
  });

  it("refuses any frame but Wren's own top frame, before looking at the arguments", async () => {
    const { invoke, stage } = setup();
    const untrusted = [
      from(null),
      from(mainFrame("https://evil.example/")),
      from(mainFrame("file:///home/me/evil.html")),
      from({ url: "app://wren/index.html", parent: mainFrame("app://wren/index.html") }),
    ];
    for (const event of untrusted) {
      expect(await invoke(event, args)).toEqual({
        ok: false,
        error: { code: "not-available", message: "This page may not use Wren's commands." },
      });
      expect(await invoke(event, { nonsense: true })).toMatchObject({
        ok: false,
        error: { code: "not-available" },
      });
    }
    expect(stage).not.toHaveBeenCalled();
  });

  it("refuses arguments not of the declared shape", async () => {
    const { invoke, stage } = setup();
    const invalid: unknown[] = [
      undefined,
      null,
      "/home/me/notes.txt",
      [args.path, args.name, args.mediaType],
      {},
      { ...args, path: "" },
      { ...args, path: 42 },
      { ...args, path: "x".repeat(32_768) },
      { ...args, name: undefined },
      { ...args, name: "n".repeat(1025) },
      { ...args, mediaType: null },
      { ...args, mediaType: "t".repeat(256) },
      { ...args, extra: "no" },
    ];
    for (const value of invalid) {
      expect(await invoke(trusted, value), JSON.stringify(value)).toEqual({
        ok: false,
        error: { code: "invalid-argument", message: "Invalid request." },
      });
    }
    expect(stage).not.toHaveBeenCalled();
    // The longest of each that is allowed passes.
    await invoke(trusted, {
      path: "x".repeat(32_767),
      name: "n".repeat(1024),
      mediaType: "t".repeat(255),
    });
    expect(stage).toHaveBeenCalledOnce();
  });

  it("answers a refusal as an envelope in the person's words", async () => {
    const { invoke } = setup(
      vi.fn(async () => {
        throw new WrenError("invalid-argument", "Wren does not send its own data files.");
      }),
    );
    expect(await invoke(trusted, args)).toEqual({
      ok: false,
      error: { code: "invalid-argument", message: "Wren does not send its own data files." },
    });
  });

  it("answers an unexpected failure without its details", async () => {
    const { invoke } = setup(
      vi.fn(async () => {
        throw new Error("EACCES: /home/me/secret/path");
      }),
    );
    expect(await invoke(trusted, args)).toEqual({
      ok: false,
      error: {
        code: "internal",
        message: "Something went wrong inside Wren. The details are in the log.",
      },
    });
  });

  it("is removed on its own, leaving the commands", () => {
    const { ipcMain, handlers } = setup();
    removeFileStaging(ipcMain);
    expect(handlers.has(STAGE_FILE_CHANNEL)).toBe(false);
    expect(ipcMain.removeHandler).toHaveBeenCalledTimes(1);
  });
});
