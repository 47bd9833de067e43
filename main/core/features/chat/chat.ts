import { randomUUID } from "node:crypto";
import type { Element } from "@xmpp/client";
import type { ChatMessage } from "../../../../preload/contract";
import type { Outbox } from "../../outbox";
import { buildChatMessage, parseChatMessage } from "../../stanzas/message";
import type { Feature } from "../feature";
import {
  ConversationStore,
  type ConversationLimits,
  type StoredMessage,
} from "./conversation-store";
import { isSameMessage } from "./identity";

export interface ChatDeps {
  outbox: () => Outbox;
  onMessage: (message: ChatMessage) => void;
  now?: () => number;
  limits?: Partial<ConversationLimits>;
}

/** How many recent messages of a conversation are checked for a repeat. */
const REPEAT_WINDOW = 200;

/** One-to-one chat (RFC 6121 §5) with an in-memory history per conversation, in arrival order. */
export class Chat implements Feature {
  readonly name = "chat";
  readonly #store: ConversationStore;
  readonly #now: () => number;

  constructor(private readonly deps: ChatDeps) {
    this.#now = deps.now ?? Date.now;
    this.#store = new ConversationStore(deps.limits);
  }

  message(stanza: Element): boolean {
    return this.handleMessage(stanza) !== null;
  }

  /** Sends a chat message to `to` (bare or full JID); `peer` is its bare JID. */
  async send(to: string, peer: string, body: string): Promise<ChatMessage> {
    const id = randomUUID();
    await this.deps.outbox().send(buildChatMessage(to, id, body));
    const message: StoredMessage = {
      id,
      stanzaId: id,
      peer,
      direction: "out",
      body,
      timestamp: this.#now(),
      delayed: false,
    };
    this.#store.add(message);
    return toChatMessage(message);
  }

  /** Records an incoming chat message; returns it, or null when it is none or a repeat. */
  handleMessage(stanza: Element): ChatMessage | null {
    const parsed = parseChatMessage(stanza, this.#now());
    if (!parsed) return null;
    const identity = {
      peer: parsed.from,
      direction: "in" as const,
      stanzaId: parsed.id,
      body: parsed.body,
    };
    if (this.#store.hasRecent(identity, REPEAT_WINDOW, isSameMessage)) return null;
    const message: StoredMessage = {
      ...identity,
      // Wren's own id: the sender's is not unique, and the page tells messages apart by this one.
      id: randomUUID(),
      timestamp: parsed.timestamp,
      delayed: parsed.delayed,
    };
    this.#store.add(message);
    const shown = toChatMessage(message);
    this.deps.onMessage(shown);
    return shown;
  }

  /** Up to `limit` messages, newest last, before the message with id `before` when given. */
  history(peer: string, before: string | undefined, limit: number): ChatMessage[] {
    return this.#store.page(peer, before, limit).map(toChatMessage);
  }
}

function toChatMessage({ stanzaId: _stanzaId, ...message }: StoredMessage): ChatMessage {
  return message;
}
