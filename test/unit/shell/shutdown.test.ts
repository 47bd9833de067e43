import "./quiet-log";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createQuitGuard, settleWithin } from "../../../main/shutdown";

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function quitEvent() {
  return { preventDefault: vi.fn() };
}

describe("createQuitGuard", () => {
  it("holds the first quit until cleanup is done, then quits for real", async () => {
    let finish!: () => void;
    const cleanup = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const quit = vi.fn();
    const onBeforeQuit = createQuitGuard({ cleanup, quit, timeoutMs: 2000 });

    const first = quitEvent();
    onBeforeQuit(first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(cleanup).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(100);
    expect(quit).not.toHaveBeenCalled();

    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(quit).toHaveBeenCalledOnce();

    // The quit that follows is let through.
    const second = quitEvent();
    onBeforeQuit(second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(cleanup).toHaveBeenCalledOnce();
  });

  it("quits anyway when cleanup hangs past the timeout", async () => {
    const cleanup = vi.fn(() => new Promise<void>(() => {})); // a server that never answers
    const quit = vi.fn();
    const onBeforeQuit = createQuitGuard({ cleanup, quit, timeoutMs: 2000 });
    onBeforeQuit(quitEvent());
    await vi.advanceTimersByTimeAsync(1999);
    expect(quit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(quit).toHaveBeenCalledOnce();
  });

  it("quits when cleanup fails, synchronously or not", async () => {
    for (const cleanup of [
      () => Promise.reject(new Error("stream closed")),
      () => {
        throw new Error("sync bug");
      },
    ]) {
      const quit = vi.fn();
      createQuitGuard({ cleanup, quit })(quitEvent());
      await vi.advanceTimersByTimeAsync(0);
      expect(quit).toHaveBeenCalledOnce();
    }
  });

  it("does not start a second cleanup for repeated quits while cleaning", async () => {
    const cleanup = vi.fn(() => new Promise<void>(() => {}));
    const onBeforeQuit = createQuitGuard({ cleanup, quit: vi.fn() });
    const again = quitEvent();
    onBeforeQuit(quitEvent());
    onBeforeQuit(again);
    expect(again.preventDefault).toHaveBeenCalled();
    expect(cleanup).toHaveBeenCalledOnce();
  });
});

describe("settleWithin", () => {
  it("reports done or timeout and clears its timer", async () => {
    await expect(settleWithin(Promise.resolve(), 10)).resolves.toBe("done");
    const pending = settleWithin(new Promise(() => {}), 10);
    await vi.advanceTimersByTimeAsync(10);
    await expect(pending).resolves.toBe("timeout");
    expect(vi.getTimerCount()).toBe(0);
  });
});
