import { randomUUID } from "node:crypto";
import type { Element } from "@xmpp/client";
import type { ChatMessage } from "../../preload/contract";
import type { Outbox } from "./outbox";
import { buildChatMessage, parseChatMessage } from "./stanzas/message";

export interface ChatDeps {
  outbox: () => Outbox;
  onMessage: (message: ChatMessage) => void;
  now?: () => number;
  /** Messages kept per conversation; the oldest go first. */
  maxPerPeer?: number;
}

export const DEFAULT_MAX_PER_PEER = 5_000;
/** How many recent messages of a conversation are checked for a repeat. */
const REPEAT_WINDOW = 200;

/** One-to-one chat (RFC 6121 §5) with an in-memory history per conversation, in arrival order. */
export class Chat {
  readonly #history = new Map<string, ChatMessage[]>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(private readonly deps: ChatDeps) {
    this.#now = deps.now ?? Date.now;
    this.#max = deps.maxPerPeer ?? DEFAULT_MAX_PER_PEER;
  }

  /** Sends a chat message to `to` (bare or full JID); `peer` is its bare JID. */
  async send(to: string, peer: string, body: string): Promise<ChatMessage> {
    const id = randomUUID();
    await this.deps.outbox().send(buildChatMessage(to, id, body));
    const message: ChatMessage = {
      id,
      peer,
      direction: "out",
      body,
      timestamp: this.#now(),
      delayed: false,
    };
    this.#record(message);
    return message;
  }

  /** Records an incoming message stanza; returns it, or null when it is not a chat message. */
  handleMessage(stanza: Element): ChatMessage | null {
    const parsed = parseChatMessage(stanza, this.#now());
    if (!parsed) return null;
    if (parsed.id && this.#isRepeat(parsed.from, parsed.id, parsed.body)) return null;
    const message: ChatMessage = {
      id: parsed.id || randomUUID(),
      peer: parsed.from,
      direction: "in",
      body: parsed.body,
      timestamp: parsed.timestamp,
      delayed: parsed.delayed,
    };
    this.#record(message);
    this.deps.onMessage(message);
    return message;
  }

  /** Up to `limit` messages, newest last, strictly older than `before` when given. */
  history(peer: string, before: number | undefined, limit: number): ChatMessage[] {
    const all = this.#history.get(peer) ?? [];
    const older = before === undefined ? all : all.filter((m) => m.timestamp < before);
    return limit > 0 ? older.slice(-limit) : [];
  }

  /**
   * A sender whose connection failed may send a message again with the same id (Wren does, after
   * a failed stream resumption). Same id and same text from the same peer, recently: a repeat.
   */
  #isRepeat(peer: string, id: string, body: string): boolean {
    const list = this.#history.get(peer);
    if (!list) return false;
    for (let i = list.length - 1; i >= Math.max(0, list.length - REPEAT_WINDOW); i--) {
      const message = list[i]!;
      if (message.direction === "in" && message.id === id && message.body === body) return true;
    }
    return false;
  }

  #record(message: ChatMessage): void {
    let list = this.#history.get(message.peer);
    if (!list) this.#history.set(message.peer, (list = []));
    list.push(message);
    if (list.length > this.#max) list.splice(0, list.length - this.#max);
  }
}
