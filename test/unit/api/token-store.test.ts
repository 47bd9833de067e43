import { describe, expect, it } from "vitest";
import { createTokenStore } from "../../../main/api/token-store";
import { FakeClock } from "../core/fake-clock";

function store(max = 3) {
  const clock = new FakeClock();
  return { clock, tokens: createTokenStore<string>({ ttlMs: 1_000, max, clock }) };
}

describe("createTokenStore", () => {
  it("keeps values under random, unguessable tokens", () => {
    const { tokens } = store();
    const a = tokens.add("a");
    const b = tokens.add("b");
    expect(a).toMatch(/^[\w-]{24}$/);
    expect(a).not.toBe(b);
    expect([tokens.get(a), tokens.get(b), tokens.get("guess")]).toEqual(["a", "b", undefined]);
  });

  it("forgets a value when its time is up, and clears its timer when deleted", () => {
    const { clock, tokens } = store();
    const a = tokens.add("a");
    clock.advance(500);
    const b = tokens.add("b");
    clock.advance(500);
    expect(tokens.get(a)).toBeUndefined();
    expect(tokens.get(b)).toBe("b");
    tokens.delete(b);
    expect(tokens.get(b)).toBeUndefined();
    expect(clock.pending()).toEqual([]);
    expect(tokens.size).toBe(0);
  });

  it("goes by the deadline even when the timer is late (a machine waking up)", () => {
    let now = 0;
    const lateClock = {
      now: () => now,
      setTimeout: () => "never fires",
      clearTimeout: () => {},
    };
    const tokens = createTokenStore<string>({ ttlMs: 1_000, max: 3, clock: lateClock });
    const a = tokens.add("a");
    now = 1_000;
    expect(tokens.get(a)).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it("forgets the oldest when full, and everything when cleared", () => {
    const { clock, tokens } = store(2);
    const [a, b, c] = [tokens.add("a"), tokens.add("b"), tokens.add("c")];
    expect([tokens.get(a), tokens.get(b), tokens.get(c)]).toEqual([undefined, "b", "c"]);
    tokens.clear();
    expect(tokens.size).toBe(0);
    expect(clock.pending()).toEqual([]);
  });
});
