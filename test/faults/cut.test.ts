import { describe, inject, it } from "vitest";
import { sleep } from "./harness/chat-pair";
import { runIteration } from "./harness/iteration";
import { iterationsOf } from "./harness/run-settings";
import { untilSessionGone } from "./harness/server-sessions";

// A's link is cut (RST on both sides) and stays down until the server has ended A's session: its
// XEP-0198 resumption window passed, so A must start a new session. A writes while it is offline
// (Wren keeps those messages and sends them once connected); B writes to A meanwhile (the server
// archives them; A must fetch them from the archive). Then the link comes back.

describe("a link cut (RST) and kept down past the server's resumption time", () => {
  const server = inject("faultServer");

  for (const { index, random } of iterationsOf("cut")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("cut", index, random, async (pair) => {
        await pair.chat(random, 4);

        const lost = pair.reconnected("A", 60_000);
        lost.catch(() => {}); // awaited below
        const proxy = pair.a.proxy;
        proxy.refuse(true);
        proxy.reset();
        // Some messages are written right as the link goes, some later into the outage.
        const writes = Promise.all([
          pair.burst("A", random.int(1, 3), () => random.int(0, 400)),
          pair.burst("B", random.int(1, 4), () => random.int(0, 400)),
        ]);
        await untilSessionGone(server, pair.a.account.jid, (server.hibernationSeconds + 10) * 1000);
        await writes;
        await sleep(random.int(0, 1500));
        pair.note(`link down ${server.hibernationSeconds}+ s; A's session ended on the server`);
        proxy.refuse(false);
        await lost;
        await pair.chat(random, 3);
      }));
  }
});
