import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { createElectronConnectivity } from "../../../main/connectivity";
import { FakeClock } from "../core/fake-clock";

function setup(initiallyOnline = true) {
  const powerMonitor = new EventEmitter();
  const app = new EventEmitter();
  let online = initiallyOnline;
  const clock = new FakeClock();
  const signals = createElectronConnectivity({
    powerMonitor,
    app,
    isOnline: () => online,
    clock,
    pollMs: 1000,
  });
  return {
    signals,
    powerMonitor,
    app,
    advance: (ms: number) => clock.advance(ms),
    pending: () => clock.pending().length,
    setOnline: (v: boolean) => (online = v),
  };
}

describe("createElectronConnectivity", () => {
  it("reports the network coming back once, not while it stays up", () => {
    const { signals, advance, setOnline } = setup(true);
    const up = vi.fn();
    signals.onNetworkUp(up);
    advance(3000);
    expect(up).not.toHaveBeenCalled();
    setOnline(false);
    advance(1000);
    setOnline(true);
    advance(1000);
    advance(5000);
    expect(up).toHaveBeenCalledTimes(1);
  });

  it("treats waking from sleep and unlocking the screen as a resume", () => {
    const { signals, powerMonitor } = setup();
    const resumed = vi.fn();
    const off = signals.onResume(resumed);
    powerMonitor.emit("resume");
    powerMonitor.emit("unlock-screen");
    expect(resumed).toHaveBeenCalledTimes(2);
    off();
    powerMonitor.emit("resume");
    expect(resumed).toHaveBeenCalledTimes(2);
    expect(powerMonitor.listenerCount("resume")).toBe(0);
  });

  it("follows window focus for foreground and background", () => {
    const { signals, app } = setup();
    const changes: boolean[] = [];
    const off = signals.onForegroundChange((foreground) => changes.push(foreground));
    app.emit("browser-window-blur");
    app.emit("browser-window-focus");
    off();
    app.emit("browser-window-blur");
    expect(changes).toEqual([false, true]);
    expect(app.listenerCount("browser-window-focus")).toBe(0);
  });

  it("stops polling when disposed", () => {
    const { signals, pending } = setup();
    expect(pending()).toBe(1);
    signals.dispose();
    expect(pending()).toBe(0);
  });
});
