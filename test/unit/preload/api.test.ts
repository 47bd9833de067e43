import { describe, expect, it, vi } from "vitest";
import {
  commandChannel,
  commandNames,
  EVENTS_CHANNEL,
  STAGE_FILE_CHANNEL,
  type WrenEvent,
} from "../../../preload/contract";
import { createPreloadApi, type PreloadDeps } from "../../../preload/api";

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeElectron(paths: Map<File, string> = new Map()) {
  const listeners = new Map<string, Set<Listener>>();
  const invoke = vi.fn(async (channel: string, ...args: unknown[]): Promise<unknown> => ({
    channel,
    args,
  }));
  const ipcRenderer: PreloadDeps["ipcRenderer"] = {
    invoke,
    on: vi.fn((channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
    }),
  };
  // Like Electron's: a path for a File the person dropped or picked, "" for one the page made.
  const webUtils = { getPathForFile: vi.fn((file: File) => paths.get(file) ?? "") };
  const send = (channel: string, ...args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: "ipc" }, ...args);
  };
  return { ipcRenderer, webUtils, invoke, listeners, send };
}

describe("createPreloadApi", () => {
  it("has one function per command, the event subscription and the file staging: nothing else", () => {
    const api = createPreloadApi(fakeElectron());
    expect(Object.keys(api).sort()).toEqual(
      [...commandNames, "onEvents", "stageFileFromDisk"].sort(),
    );
    for (const key of Object.keys(api)) {
      expect(typeof (api as unknown as Record<string, unknown>)[key], key).toBe("function");
    }
    expect(api).not.toHaveProperty("invoke");
    expect(api).not.toHaveProperty("send");
  });

  it("invokes each command on its own channel, with the arguments as given", async () => {
    const electron = fakeElectron();
    const api = createPreloadApi(electron) as unknown as Record<
      string,
      (args: unknown) => Promise<unknown>
    >;
    for (const name of commandNames) {
      const args = { probe: name };
      expect(await api[name]!(args)).toEqual({ channel: commandChannel(name), args: [args] });
    }
    expect(electron.invoke).toHaveBeenCalledTimes(commandNames.length);
  });

  it("hands each batch of events to the listener until it unsubscribes", () => {
    const electron = fakeElectron();
    const api = createPreloadApi(electron);
    const seen: WrenEvent[][] = [];
    const stop = api.onEvents((events) => seen.push(events));
    const batch: WrenEvent[] = [{ type: "transfers", changed: [], removed: ["t1"] }];
    electron.send(EVENTS_CHANNEL, batch);
    electron.send("wren:other", [{ type: "account-removed", accountId: "a" }]);
    expect(seen).toEqual([batch]);

    const other: WrenEvent[][] = [];
    const stopOther = api.onEvents((events) => other.push(events));
    stop();
    electron.send(EVENTS_CHANNEL, batch);
    expect(seen).toHaveLength(1);
    expect(other).toEqual([batch]);
    stopOther();
    expect(electron.listeners.get(EVENTS_CHANNEL)?.size).toBe(0);
  });

  it("stages a dropped file by the path Electron gives, with its name and type", async () => {
    const dropped = new File(["hello"], "notes.txt", { type: "text/plain" });
    const electron = fakeElectron(new Map([[dropped, "/home/me/notes.txt"]]));
    const answer = {
      ok: true,
      value: { token: "t", name: "notes.txt", size: 5, mediaType: "text/plain" },
    };
    electron.invoke.mockImplementationOnce(async () => answer);
    const api = createPreloadApi(electron);
    expect(await api.stageFileFromDisk?.(dropped)).toBe(answer);
    expect(electron.webUtils.getPathForFile).toHaveBeenCalledWith(dropped);
    expect(electron.invoke).toHaveBeenCalledExactlyOnceWith(STAGE_FILE_CHANNEL, {
      path: "/home/me/notes.txt",
      name: "notes.txt",
      mediaType: "text/plain",
    });
  });

  it("stages nothing for a File the page made itself: there is no path to give", async () => {
    const electron = fakeElectron();
    const api = createPreloadApi(electron);
    const made = new File(["x"], "/etc/passwd", { type: "text/plain" });
    expect(await api.stageFileFromDisk?.(made)).toBeNull();
    expect(electron.invoke).not.toHaveBeenCalled();
  });
});
