import { describe, it } from "vitest";
import { sleep } from "./harness/chat-pair";
import { runIteration } from "./harness/iteration";
import { iterationsOf } from "./harness/run-settings";

// The link goes silent right after A sent: no FIN, no RST, bytes just stop. Which way it stops is
// drawn per iteration: A's messages never reach the server ("up"), or they do but the server's
// acknowledgement — and whatever else it sends A — never comes back ("down"), or both. Sometimes
// the link heals before A notices; otherwise A's link check gives up on it and A reconnects
// (resuming the session, which the server still holds). Meanwhile B goes on writing to A.

describe("a link that stalls after a send, before the server's acknowledgement", () => {
  for (const { index, random } of iterationsOf("stall")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("stall", index, random, async (pair) => {
        await pair.chat(random, 4);

        const link = pair.a.proxy.current();
        if (!link) throw new Error("A has no connection through its proxy");
        const way = random.pick(["up", "down", "both"] as const);
        const heals = random.chance(0.3);
        pair.note(`the link stalls ${way}; it ${heals ? "heals" : "stays silent"}`);
        const back = heals ? null : pair.reconnected("A");
        back?.catch(() => {}); // awaited below

        if (way !== "down") link.hold("up");
        if (way !== "up") link.hold("down");
        // A writes into the silence, B writes to A meanwhile.
        const fromA = random.int(1, 3);
        for (let i = 0; i < fromA; i++) {
          await pair.send("A");
          await sleep(random.int(0, 300));
        }
        await pair.burst("B", random.int(0, 2), () => random.int(0, 200));

        if (heals) {
          await sleep(random.int(0, 800));
          // If A gave up on the link meanwhile, what it held reaches the server late.
          if (pair.a.proxy.current() !== link) pair.note("A had given up on the link already");
          link.release("up");
          link.release("down");
        } else {
          await back;
        }
        await pair.chat(random, 3);
      }));
  }
});
