import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { MessageStore, StoredMessage } from "../../../main/store/message-store";
import { openMessageStore, type OpenMessageStoreOptions } from "../../../main/store/open-store";

export const UNUSABLE =
  "Wren could not read or write its message history. The details are in the log.";

/** A temporary folder per test, and every store opened in it closed afterwards. */
export function useStoreDir(): {
  dir: () => string;
  path: () => string;
  open: (options?: Partial<OpenMessageStoreOptions>) => Promise<MessageStore>;
} {
  let dir = "";
  const stores: MessageStore[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-store-"));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const path = () => join(dir, "messages.db");
  return {
    dir: () => dir,
    path,
    open: async (options) => {
      const store = await openMessageStore({ path: path(), ...options });
      stores.push(store);
      return store;
    },
  };
}

let counter = 0;

/** A received chat message from bob, with ids left out; `overrides` sets the rest. */
export function message(overrides: Partial<StoredMessage> = {}): StoredMessage {
  counter += 1;
  return {
    id: `m-${counter}`,
    accountId: "alice",
    conversation: "bob@example.org",
    kind: "chat",
    direction: "in",
    sender: "bob@example.org",
    body: `message ${counter}`,
    sentAt: null,
    receivedAt: 1_700_000_000_000,
    serverAt: null,
    timestamp: 1_700_000_000_000,
    stanzaId: null,
    originId: null,
    archiveId: null,
    archiveBy: null,
    state: "received",
    correctsId: null,
    editedAt: null,
    attachment: null,
    ...overrides,
  };
}

export const ids = (messages: StoredMessage[]) => messages.map((stored) => stored.id);
