import { describe, it } from "vitest";
import { runIteration } from "./harness/iteration";
import { iterationsOf } from "./harness/run-settings";

// A is offline while B writes a few hundred messages (more than one archive page). A starts again
// and catches up; its link is slowed, so the catch-up takes a while. Once A has stored some of
// them, the link to A is paused, B writes again — live messages, queued at the server in front of
// the rest of the catch-up — and the link goes on. Nothing may be lost or stored twice at the
// seam, and B's messages stay in the order B wrote them.

/** Marks the live messages at the proxy. */
const LIVE_PADDING = 1_000;

describe("a live message arriving during catch-up", () => {
  for (const { index, random } of iterationsOf("catch-up")) {
    it(`iteration ${index + 1} (seed ${random.seed})`, () =>
      runIteration("catch-up", index, random, async (pair) => {
        await pair.chat(random, 2);
        const crash = random.chance(0.5);
        if (crash) await pair.a.wren.kill();
        else await pair.a.wren.stop();
        pair.note(crash ? "A was killed" : "A quit");

        const missed = random.int(120, 260);
        const first = pair.sent.length;
        await pair.burst("B", missed);
        const offline = pair.sent.slice(first).map((message) => message.body);

        // About 80–200 KB/s: a catch-up of this size takes a second or more.
        const delayMs = random.int(10, 25);
        pair.a.proxy.delay(delayMs, 2048);
        await pair.restart("A");
        const seam = random.int(1, Math.floor(missed / 2));
        const reached = await pair.untilStoredCount("A", offline, seam, 20_000);
        if (!reached) {
          pair.note(`A had not stored ${seam} of the ${missed} missed messages after 20 s`);
        }

        // The catch-up is under way: pause it, and let live messages queue up in front of the rest.
        const link = pair.a.proxy.current();
        if (!link) throw new Error("A has no connection through its proxy");
        link.hold("down");
        const missedSet = new Set(offline);
        const had = new Set(pair.stored("A").filter((body) => missedSet.has(body))).size;
        const before = link.received.down;
        const live = random.int(1, 3);
        for (let i = 0; i < live; i++) await pair.send("B", LIVE_PADDING);
        await pair.a.proxy.until(
          "B's live messages at A's proxy",
          (candidate) => candidate === link && link.received.down - before >= live * LIVE_PADDING,
          15_000,
        );
        pair.note(
          `B wrote ${missed}; A's link slowed to 2 KB per ${delayMs} ms; ` +
            `${live} live messages arrived when A had stored ${had} of them ` +
            `(${had === 0 ? "none yet" : had >= missed ? "all: too late" : "mid-catch-up"})`,
        );
        pair.a.proxy.delay(0);
        link.release("down");
        await pair.chat(random, 2);
      }));
  }
});
