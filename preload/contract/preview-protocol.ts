import type { CommandName, Envelope, WrenEvent } from "./index";

// The browser preview's wire format over its local WebSocket. The page learns the token from the
// URL fragment (never sent to the server in HTTP requests) and presents it when it connects.

export const PREVIEW_BRIDGE_PATH = "/bridge";

export interface PreviewRequest {
  id: number;
  command: CommandName;
  args: unknown;
}

export type PreviewServerMessage =
  { id: number; envelope: Envelope<unknown> } | { events: WrenEvent[] };
