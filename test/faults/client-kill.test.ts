import { describe, it } from "vitest";
import { sleep, type ChatPair } from "./harness/chat-pair";
import type { FaultLink } from "./harness/fault-proxy";
import { runIteration } from "./harness/iteration";
import type { Random } from "./harness/random";
import { iterationsOf } from "./harness/run-settings";

// Wren's process is killed (SIGKILL: nothing gets to finish) at the moments that decide whether a
// message is lost or shown twice, then started again on the same data folder, as after a crash.
// The proxy, not a hook in Wren, picks the moment: B's message carries a large body, so its bytes
// are easy to tell at the proxy; holding A's side of the link decides what the server hears back.
//
// - between receiving and storing: the message's bytes are held at the proxy, then forwarded to A
//   and A is killed at once (or within a few ms): they reached A's machine, Wren had no time to
//   keep them. The server never hears A acknowledge the message.
// - between storing and acknowledging: A's upstream is held, so nothing A says reaches the server;
//   the message is let through, and A is killed as soon as its database holds it. The server never
//   hears the acknowledgement, and offers the message again.
// - A's own message, stored but not acknowledged by the server: held on its way up (the server
//   never got it) or on the way back (the server got it, A never heard so); A is killed once its
//   database holds it.

/** Large enough that no other stanza of the conversation comes close. */
const MARKED_BODY = 3_000;

/** Holds A's incoming bytes until `body` (sent by B now) has arrived at the proxy. */
async function heldAtProxy(pair: ChatPair): Promise<{ link: FaultLink; body: string }> {
  const link = pair.a.proxy.current();
  if (!link) throw new Error("A has no connection through its proxy");
  link.hold("down");
  const before = link.received.down;
  const body = await pair.send("B", MARKED_BODY);
  await pair.a.proxy.until(
    "B's marked message at A's proxy",
    (candidate) => candidate === link && link.received.down - before >= MARKED_BODY,
    15_000,
  );
  return { link, body };
}

/**
 * When A's side of the link was held, the server either learns of A's death at once (its end of
 * the link is reset) or only later (the link stays silent until A's new session replaces the old
 * one). While A is down, B may go on writing; then A starts again on the same data folder.
 */
async function restartA(pair: ChatPair, random: Random, link: FaultLink): Promise<void> {
  if (link.isHeld("up") && random.chance(0.5)) {
    link.reset();
    pair.note("the server saw A's link reset");
  }
  await pair.burst("B", random.int(0, 3), () => random.int(0, 100));
  await pair.restart("A");
  await pair.online("A");
  await pair.chat(random, 3);
}

function storedAtKill(pair: ChatPair, body: string): string {
  return pair.stored("A").includes(body) ? "already stored" : "not stored";
}

describe("Wren killed between receiving a message and storing it", () => {
  for (const { index, random } of iterationsOf("kill-before-store")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("kill-before-store", index, random, async (pair) => {
        await pair.chat(random, 4);
        const { link, body } = await heldAtProxy(pair);
        const delayMs = random.pick([0, 0, 0, 1, 2, 5]);
        if (delayMs === 0) {
          // In one go: the bytes are in A's socket buffer when the signal lands.
          link.release("down");
          void pair.a.wren.kill();
        } else {
          link.release("down");
          await sleep(delayMs);
        }
        await pair.a.wren.kill();
        pair.note(`A killed ${delayMs} ms after its message arrived: ${storedAtKill(pair, body)}`);
        await restartA(pair, random, link);
      }));
  }
});

describe("Wren killed between storing a message and acknowledging it", () => {
  for (const { index, random } of iterationsOf("kill-before-ack")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("kill-before-ack", index, random, async (pair) => {
        await pair.chat(random, 4);
        const { link, body } = await heldAtProxy(pair);
        link.hold("up"); // nothing A says from now on reaches the server: no acknowledgement
        link.release("down");
        await pair.untilStored("A", body, 15_000);
        await pair.a.wren.kill();
        pair.note(`A killed once it stored B's message (${link.waiting.up} bytes from A held)`);
        await restartA(pair, random, link);
      }));
  }
});

describe("Wren killed after storing its own message, before the server acknowledged it", () => {
  for (const { index, random } of iterationsOf("kill-before-server-ack")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("kill-before-server-ack", index, random, async (pair) => {
        await pair.chat(random, 4);
        const link = pair.a.proxy.current();
        if (!link) throw new Error("A has no connection through its proxy");
        const way = random.pick(["up", "down"] as const);
        link.hold(way);
        const body = await pair.send("A");
        if (way === "down") {
          // Up is open: wait until B has it, so the server surely took it (and B got it once).
          await pair.untilStored("B", body, 15_000);
        }
        await pair.untilStored("A", body, 15_000);
        await pair.a.wren.kill();
        pair.note(
          way === "up"
            ? "A's message held on its way to the server; A killed"
            : "A's message reached B, the server's acknowledgement held; A killed",
        );
        await restartA(pair, random, link);
      }));
  }
});
