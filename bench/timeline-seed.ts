import { join } from "node:path";
import { newMessageId } from "../main/core/features/chat/message-id";
import type { StoredMessage } from "../main/store/message-store";
import { openMessageStore } from "../main/store/open-store";
import { random } from "./corpus";

// The conversations the timeline benchmark opens, written straight into the preview's database
// (history.sqlite in its data folder) while the preview is stopped: what a person who has used
// Wren for months has there.

export interface SeedMessage {
  direction: "in" | "out";
  /** Starts with the conversation's tag and the message's number, e.g. "L42 …": the page finds it so. */
  body: string;
  timestamp: number;
}

export interface SeedConversation {
  /** One capital letter, unique per conversation. */
  tag: string;
  /** The peer's bare JID. */
  peer: string;
  messages: SeedMessage[];
}

const SYLLABLES = "ka lo mi ne ru sa te vi zo pa de fu gi ho ja be ce qu xi wa".split(" ");

/**
 * `count` messages that read like a chat: turns of one to a few messages, mostly short, one in ten
 * long enough to wrap over several lines; seconds to minutes apart, with pauses of hours between
 * talks, so the timeline has day separators. The newest a minute ago.
 */
export function conversation(tag: string, peer: string, count: number, seed: number) {
  const next = random(seed);
  const word = () => {
    let text = "";
    const syllables = 1 + Math.floor(next() * 3);
    for (let i = 0; i < syllables; i++) text += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    return text;
  };
  const drafts: { direction: "in" | "out"; words: number; gapMs: number }[] = [];
  let direction: "in" | "out" = "in";
  for (let i = 0; i < count; i++) {
    if (next() < 0.45) direction = direction === "in" ? "out" : "in";
    const words = next() < 0.1 ? 30 + Math.floor(next() * 50) : 1 + Math.floor(next() * 14);
    const gapMs = Math.round(
      next() < 0.08 ? (1 + next() * 12) * 3_600_000 : (3 + next() * 120) * 1000,
    );
    drafts.push({ direction, words, gapMs });
  }
  let timestamp = Date.now() - 60_000;
  const messages: SeedMessage[] = new Array(count);
  for (let i = count - 1; i >= 0; i--) {
    const draft = drafts[i]!;
    const text = Array.from({ length: draft.words }, word).join(" ");
    messages[i] = { direction: draft.direction, body: `${tag}${i} ${text}`, timestamp };
    timestamp -= draft.gapMs;
  }
  return { tag, peer, messages } satisfies SeedConversation;
}

/** Stores the conversations for the account `accountId` (the person is `self`). */
export async function seedHistory(
  dataDir: string,
  accountId: string,
  self: string,
  conversations: SeedConversation[],
): Promise<void> {
  const store = await openMessageStore({ path: join(dataDir, "history.sqlite") });
  try {
    const records = conversations.flatMap(({ peer, messages }) =>
      messages.map((message): StoredMessage => ({
        id: newMessageId(message.timestamp),
        accountId,
        conversation: peer,
        kind: "chat",
        direction: message.direction,
        sender: message.direction === "in" ? peer : self,
        body: message.body,
        sentAt: null,
        receivedAt: message.timestamp,
        serverAt: null,
        timestamp: message.timestamp,
        stanzaId: null,
        originId: null,
        archiveId: null,
        archiveBy: null,
        state: message.direction === "in" ? "received" : "displayed",
        correctsId: null,
        editedAt: null,
        attachment: null,
      })),
    );
    // Requests made in one tick reach the worker together: it commits them together.
    await Promise.all(records.map((record) => store.add(record)));
  } finally {
    await store.close();
  }
}
