import { describe, expect, it } from "vitest";
import {
  COMPOSING_EVERY_MS,
  PAUSED_AFTER_MS,
  TypingNotifier,
  type OwnChatState,
  type TypingTimers,
} from "../../renderer/lib/typing";

/** Timers the test moves by hand. */
function fakeTimers() {
  let now = 0;
  let pending: { at: number; run: () => void } | null = null;
  const timers: TypingTimers = {
    now: () => now,
    setTimeout: (run, ms) => (pending = { at: now + ms, run }),
    clearTimeout: () => (pending = null),
  };
  const advance = (ms: number) => {
    now += ms;
    if (pending && pending.at <= now) {
      const { run } = pending;
      pending = null;
      run();
    }
  };
  return { timers, advance };
}

describe("TypingNotifier", () => {
  it("sends composing at most every few seconds, paused when typing stops, active when cleared", () => {
    const sent: OwnChatState[] = [];
    const { timers, advance } = fakeTimers();
    const typing = new TypingNotifier((state) => sent.push(state), timers);
    typing.input("h");
    for (let i = 0; i < 10; i++) {
      advance(400);
      typing.input("hello".slice(0, (i % 5) + 1));
    }
    expect(sent).toEqual(["composing"]);
    advance(COMPOSING_EVERY_MS - 4_000);
    typing.input("hello!");
    expect(sent).toEqual(["composing", "composing"]);
    advance(PAUSED_AFTER_MS);
    expect(sent).toEqual(["composing", "composing", "paused"]);
    typing.input("hello!!");
    expect(sent.at(-1)).toBe("composing");
    typing.input("");
    expect(sent.at(-1)).toBe("active");
    advance(PAUSED_AFTER_MS);
    expect(sent.at(-1)).toBe("active");
  });

  it("sends nothing on send (the message says active) and paused when the conversation closes", () => {
    const sent: OwnChatState[] = [];
    const { timers, advance } = fakeTimers();
    const typing = new TypingNotifier((state) => sent.push(state), timers);
    typing.input("hi");
    typing.sent();
    advance(PAUSED_AFTER_MS);
    expect(sent).toEqual(["composing"]);
    typing.input("more");
    typing.dispose();
    expect(sent).toEqual(["composing", "composing", "paused"]);
  });
});
