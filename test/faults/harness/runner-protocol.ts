import type { CommandName, Envelope, WrenEvent } from "../../../preload/contract";

// What the test and a Wren process it started (wren-runner.ts) say to each other over Node's IPC
// channel: the same commands and events the renderer uses, without a window.

export type TestMessage =
  | { type: "command"; id: number; command: CommandName; args: unknown }
  /** Sign out and close the database cleanly, then exit. */
  | { type: "stop" };

export type RunnerMessage =
  /** Commands may be sent from now on (they wait for the app's start). */
  | { type: "ready" }
  | { type: "reply"; id: number; envelope: Envelope<unknown> }
  | { type: "events"; events: WrenEvent[] };
