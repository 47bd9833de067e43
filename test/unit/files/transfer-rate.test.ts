import { describe, expect, it } from "vitest";
import { TransferRate } from "../../../main/files/transfer-rate";

describe("TransferRate", () => {
  it("is unknown until its samples span the minimum time", () => {
    const rate = new TransferRate(3000, 500);
    expect(rate.perSecond()).toBeNull();
    rate.add(1000, 0);
    expect(rate.perSecond()).toBeNull();
    rate.add(1499, 10_000);
    expect(rate.perSecond()).toBeNull();
    rate.add(1500, 10_000);
    expect(rate.perSecond()).toBe(20_000);
  });

  it("is bytes per second between the first and the last sample", () => {
    const rate = new TransferRate();
    rate.add(0, 0);
    rate.add(250, 1000);
    rate.add(2000, 4000);
    expect(rate.perSecond()).toBe(2000);
  });

  it("forgets what is older than its window, keeping one sample that spans it", () => {
    const rate = new TransferRate(3000, 500);
    // A fast start, then a steady 1000 bytes a second.
    rate.add(0, 0);
    rate.add(1000, 100_000);
    rate.add(2000, 101_000);
    expect(rate.perSecond()).toBe(50_500);
    rate.add(3000, 102_000);
    rate.add(4000, 103_000);
    rate.add(5000, 104_000);
    expect(rate.perSecond()).toBe(1000);
    // A stall shows as it happens.
    rate.add(8000, 104_000);
    rate.add(9000, 104_000);
    expect(rate.perSecond()).toBe(0);
  });

  it("keeps two samples at least, whatever their age: it never falls back to unknown", () => {
    const rate = new TransferRate(3000, 500);
    rate.add(0, 0);
    rate.add(10_000, 50_000);
    expect(rate.perSecond()).toBe(5000);
    rate.add(20_000, 60_000);
    // The sample at 10 s is the one just older than the window: the span is 10 s, not 20 s.
    expect(rate.perSecond()).toBe(1000);
  });
});
