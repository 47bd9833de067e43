import type { Element } from "@xmpp/client";
import { errorName } from "../../../shared/errors";
import type { Logger } from "../../../shared/log";
import type { Outbox } from "../../outbox";
import { buildDisplayed, buildReceipt } from "../../stanzas/chat-extensions";
import { PeerMemory } from "./peer-memory";

export interface ReceiptsDeps {
  outbox: () => Outbox | null;
  /** Whether the account is catching up with its archive now. */
  catchingUp?: () => boolean;
  log: Logger;
}

/**
 * What Wren answers about the messages it got: delivery receipts (XEP-0184) and displayed markers
 * (XEP-0333). Receipts asked for during a catch-up wait until it is over, and are not sent at all
 * when another of the person's devices sent them meanwhile; a marker goes only to a peer who asked
 * for markers, for its newest such message.
 */
export class Receipts {
  /** Receipts held back, by the id of the message they answer: where each goes. */
  readonly #pending = new Map<string, string>();
  /** The newest message each peer asked a displayed marker for. */
  readonly #markable = new PeerMemory<{ to: string; ref: string }>();

  constructor(private readonly deps: ReceiptsDeps) {}

  /** The message `id` from `to` (a full JID) asked for a receipt. */
  answer(to: string, id: string): void {
    const outbox = this.deps.outbox();
    if (this.deps.catchingUp?.() || !outbox) {
      // Bounded like any remote-controlled amount: the oldest waiting receipt gives way.
      if (this.#pending.size >= MAX_PENDING)
        this.#pending.delete(this.#pending.keys().next().value!);
      this.#pending.set(id, to);
      return;
    }
    this.#send(outbox, buildReceipt(to, id));
  }

  /** Another device of the person's sent the receipt for `id`. */
  answeredElsewhere(id: string): void {
    this.#pending.delete(id);
  }

  /** The catch-up is over: the receipts it held back go out now. */
  catchUpDone(): void {
    const outbox = this.deps.outbox();
    const pending = [...this.#pending];
    this.#pending.clear();
    if (!outbox) return;
    for (const [id, to] of pending) this.#send(outbox, buildReceipt(to, id));
  }

  /** `peer` wants to know when the message `ref` from `to` is displayed. */
  markable(peer: string, to: string, ref: string): void {
    this.#markable.set(peer, { to, ref });
  }

  /** The person read the conversation with `peer` here: the peer is told, if it asked. */
  displayed(peer: string): void {
    const markable = this.#markable.take(peer);
    const outbox = this.deps.outbox();
    if (markable && outbox) this.#send(outbox, buildDisplayed(markable.to, markable.ref));
  }

  /** The person read it on another device, which told the peer. */
  displayedElsewhere(peer: string): void {
    this.#markable.take(peer);
  }

  #send(outbox: Outbox, stanza: Element): void {
    outbox
      .send(stanza)
      .catch((error: unknown) =>
        this.deps.log.warn("could not send a receipt or marker", { error: errorName(error) }),
      );
  }
}

/** Receipts waiting for a catch-up to end. */
const MAX_PENDING = 5_000;
