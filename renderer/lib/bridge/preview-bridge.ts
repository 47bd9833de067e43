import {
  commandNames,
  type Envelope,
  type WrenApi,
  type WrenEvent,
} from "../../../preload/contract";
import {
  PREVIEW_BRIDGE_PATH,
  type PreviewRequest,
  type PreviewServerMessage,
} from "../../../preload/contract/preview-protocol";

const LOST: Envelope<never> = {
  ok: false,
  error: { code: "not-available", message: "Lost the connection to the Wren preview server." },
};

/** The preview's stand-in for preload: the same WrenApi, carried over a token-protected WebSocket. */
export function connectPreviewBridge(location: Location): Promise<WrenApi> {
  const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
  const url = new URL(PREVIEW_BRIDGE_PATH, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", token);
  const socket = new WebSocket(url);

  let nextId = 1;
  const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  const listeners = new Set<(events: WrenEvent[]) => void>();

  socket.addEventListener("message", (message) => {
    const data = JSON.parse(String(message.data)) as PreviewServerMessage;
    if ("events" in data) {
      for (const listener of listeners) listener(data.events);
      return;
    }
    pending.get(data.id)?.(data.envelope);
    pending.delete(data.id);
  });
  socket.addEventListener("close", () => {
    for (const resolve of pending.values()) resolve(LOST);
    pending.clear();
  });

  const call = (command: PreviewRequest["command"], args: unknown) =>
    new Promise<Envelope<unknown>>((resolve) => {
      if (socket.readyState !== WebSocket.OPEN) return resolve(LOST);
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, command, args } satisfies PreviewRequest));
    });

  const api = {
    ...Object.fromEntries(commandNames.map((name) => [name, (args: unknown) => call(name, args)])),
    onEvents(listener: (events: WrenEvent[]) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  } as WrenApi;

  return new Promise((resolve, reject) => {
    socket.addEventListener("open", () => resolve(api), { once: true });
    socket.addEventListener(
      "close",
      () =>
        reject(new Error("The preview server refused the connection (is the URL's token right?).")),
      { once: true },
    );
  });
}
