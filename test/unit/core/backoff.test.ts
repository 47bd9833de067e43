import { describe, expect, it } from "vitest";
import {
  Backoff,
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
  type BackoffOptions,
} from "../../../main/core/backoff";

const options = (overrides: Partial<BackoffOptions> = {}): BackoffOptions => ({
  ...DEFAULT_BACKOFF,
  ...overrides,
});

describe("backoff schedule", () => {
  it("doubles from 1 s up to a 60 s cap", () => {
    const ceilings = Array.from({ length: 10 }, (_, attempt) =>
      backoffCeiling(attempt, DEFAULT_BACKOFF),
    );
    expect(ceilings).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
    ]);
    expect(backoffCeiling(5_000, DEFAULT_BACKOFF)).toBe(60_000); // no overflow to Infinity/NaN
  });

  it("without jitter, waits exactly the ceiling", () => {
    const backoff = new Backoff({ jitter: "none" });
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });

  it("full jitter spans [0, ceiling]", () => {
    expect(backoffDelay(2, options({ jitter: "full", random: () => 0 }))).toBe(0);
    expect(backoffDelay(2, options({ jitter: "full", random: () => 0.5 }))).toBe(2_000);
    expect(backoffDelay(2, options({ jitter: "full", random: () => 0.999999 }))).toBe(4_000);
  });

  it("equal jitter (the default) spans [ceiling/2, ceiling]", () => {
    expect(backoffDelay(0, options({ random: () => 0 }))).toBe(500);
    expect(backoffDelay(0, options({ random: () => 0.999999 }))).toBe(1_000);
    expect(backoffDelay(10, options({ random: () => 0 }))).toBe(30_000);
    expect(backoffDelay(10, options({ random: () => 0.5 }))).toBe(45_000);
  });

  it("keeps every jittered delay within its bounds", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const jitter of ["full", "equal"] as const) {
      for (let attempt = 0; attempt < 12; attempt++) {
        for (let i = 0; i < 50; i++) {
          const delay = backoffDelay(attempt, options({ jitter, random }));
          const ceiling = backoffCeiling(attempt, DEFAULT_BACKOFF);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(delay).toBeGreaterThanOrEqual(jitter === "equal" ? ceiling / 2 : 0);
        }
      }
    }
  });

  it("starts again from the base after a connection that lasted 30 s", () => {
    const backoff = new Backoff({ jitter: "none" });
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.connected(100_000);
    backoff.disconnected(100_000 + 29_999); // flapping: not stable, keep backing off
    expect(backoff.next()).toBe(8_000);
    backoff.connected(200_000);
    backoff.disconnected(230_000);
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(1_000);
  });

  it("reset() starts again from the base", () => {
    const backoff = new Backoff({ jitter: "none" });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(1_000);
  });
});
