import { describe, expect, it, vi } from "vitest";
import { Liveness } from "../../../main/core/liveness";
import { FakeClock, flush } from "./fake-clock";

function setup(answer: "answer" | "silent" | "fail" = "answer", foreground = true) {
  const clock = new FakeClock();
  const signals: AbortSignal[] = [];
  const probe = vi.fn((signal: AbortSignal) => {
    signals.push(signal);
    if (answer === "answer") return Promise.resolve();
    if (answer === "fail") return Promise.reject(new Error("write after end"));
    return new Promise<void>(() => {});
  });
  const onDead = vi.fn();
  const liveness = new Liveness({ probe, onDead, clock, foreground });
  return { clock, probe, onDead, liveness, signals };
}

describe("Liveness", () => {
  it("probes every 5 s in the foreground while answers come", async () => {
    const t = setup("answer");
    t.liveness.start();
    t.clock.advance(4_999);
    expect(t.probe).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.probe).toHaveBeenCalledTimes(1);
    await flush();
    expect(t.clock.pending()).toEqual([5_000]);
    t.clock.advance(5_000);
    await flush();
    expect(t.probe).toHaveBeenCalledTimes(2);
    expect(t.onDead).not.toHaveBeenCalled();
  });

  it("declares the link dead within 10 s when the server goes silent", () => {
    const t = setup("silent");
    t.liveness.start();
    t.clock.advance(9_999);
    expect(t.onDead).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.onDead).toHaveBeenCalledTimes(1);
    expect(t.signals[0]?.aborted).toBe(true);
    expect(t.clock.pending()).toEqual([]);
    t.clock.advance(60_000);
    expect(t.onDead).toHaveBeenCalledTimes(1);
  });

  it("treats a failed probe as a dead link", async () => {
    const t = setup("fail");
    t.liveness.start();
    t.clock.advance(5_000);
    await flush();
    expect(t.onDead).toHaveBeenCalledTimes(1);
  });

  it("counts anything received as a sign of life", () => {
    const t = setup("silent");
    t.liveness.start();
    t.clock.advance(4_000);
    t.liveness.activity(); // traffic: no probe needed yet
    t.clock.advance(4_000);
    expect(t.probe).not.toHaveBeenCalled();
    t.clock.advance(1_000);
    expect(t.probe).toHaveBeenCalledTimes(1);
    t.clock.advance(3_000);
    t.liveness.activity(); // arrives while the probe waits: as good as the answer
    expect(t.signals[0]?.aborted).toBe(true);
    t.clock.advance(4_999);
    expect(t.onDead).not.toHaveBeenCalled();
  });

  it("probes only every 60 s in the background, and soon again back in the foreground", () => {
    const t = setup("silent", false);
    t.liveness.start();
    t.clock.advance(59_999);
    expect(t.probe).not.toHaveBeenCalled();
    t.liveness.setForeground(true);
    expect(t.clock.pending()).toEqual([5_000]);
    t.liveness.setForeground(false);
    expect(t.clock.pending()).toEqual([60_000]);
    t.clock.advance(60_000);
    expect(t.probe).toHaveBeenCalledTimes(1);
    t.clock.advance(5_000);
    expect(t.onDead).toHaveBeenCalledTimes(1);
  });

  it("probeNow() checks at once; stop() ends everything", () => {
    const t = setup("silent");
    t.liveness.start();
    t.liveness.probeNow();
    expect(t.probe).toHaveBeenCalledTimes(1);
    t.liveness.probeNow(); // already waiting for an answer
    expect(t.probe).toHaveBeenCalledTimes(1);
    t.liveness.stop();
    expect(t.signals[0]?.aborted).toBe(true);
    expect(t.clock.pending()).toEqual([]);
    t.clock.advance(60_000);
    expect(t.onDead).not.toHaveBeenCalled();
    t.liveness.probeNow();
    expect(t.probe).toHaveBeenCalledTimes(1);
  });
});
