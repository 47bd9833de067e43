import { describe, inject, it } from "vitest";
import { sleep } from "./harness/chat-pair";
import { runIteration } from "./harness/iteration";
import { iterationsOf } from "./harness/run-settings";
import { startServer, stopServer } from "./setup/prosody";

// A and B both write a burst; in the middle of it the server stops (as a service manager stops it:
// every stream is closed, nothing can be resumed afterwards), both go on writing, and the server
// starts again after a moment.
// Messages written while it is down are kept by Wren and sent once it is back; what the server
// archived, each side fetches from the archive.

describe("the server restarting in the middle of a burst", () => {
  const server = inject("faultServer");

  for (const { index, random } of iterationsOf("server-restart")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("server-restart", index, random, async (pair) => {
        const backA = pair.reconnected("A", 60_000);
        const backB = pair.reconnected("B", 60_000);
        backA.catch(() => {}); // awaited below
        backB.catch(() => {});
        const gap = () => random.int(20, 80);
        const fromA = random.int(10, 25);
        const fromB = random.int(10, 25);
        const bursts = Promise.all([pair.burst("A", fromA, gap), pair.burst("B", fromB, gap)]);
        // Stopped while both are still writing: after a few of A's messages. What is left of the
        // bursts, and a few more from each side, are written while the server is down.
        const after = random.int(1, Math.floor(fromA / 2));
        await pair.untilSent("A", after);
        await stopServer(server);
        await bursts;
        await Promise.all([
          pair.burst("A", random.int(1, 3), gap),
          pair.burst("B", random.int(1, 3), gap),
        ]);
        const down = random.int(0, 1_500);
        await sleep(down);
        await startServer(server);
        pair.note(
          `the server stopped after A's message ${after} of ${fromA}; both wrote on while it was ` +
            `down, and it started again ${down} ms after the last of those`,
        );
        await Promise.all([backA, backB]);
        await pair.chat(random, 3);
      }));
  }
});
