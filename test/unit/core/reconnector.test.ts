import { describe, expect, it, vi } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import { Backoff } from "../../../main/core/backoff";
import { connectionLostError, toWrenError } from "../../../main/core/errors";
import { Reconnector } from "../../../main/core/reconnector";
import { FakeClock, flush } from "./fake-clock";

const lost = () => connectionLostError();
const authFailed = () =>
  new WrenError("auth-failed", "The server rejected the address or password.");

function setup(outcomes: (WrenError | "ok")[] = []) {
  const clock = new FakeClock();
  const attempt = vi.fn(async () => {
    const outcome = outcomes.shift() ?? "ok";
    if (outcome !== "ok") throw outcome;
  });
  const onGiveUp = vi.fn();
  const onWaiting = vi.fn();
  const onReconnected = vi.fn();
  const reconnector = new Reconnector({
    attempt,
    onGiveUp,
    onWaiting,
    onReconnected,
    clock,
    backoff: new Backoff({ jitter: "none" }),
  });
  reconnector.connected();
  return { clock, attempt, onGiveUp, onWaiting, onReconnected, reconnector };
}

describe("Reconnector", () => {
  it("retries on the backoff schedule until an attempt succeeds", async () => {
    const t = setup([lost(), new WrenError("connection-refused", "refused")]);
    t.reconnector.lost(lost());
    expect(t.reconnector.state).toBe("waiting");
    expect(t.onWaiting).toHaveBeenLastCalledWith(
      1_000,
      expect.objectContaining({ code: "stream-closed" }),
    );

    t.clock.advance(999);
    expect(t.attempt).not.toHaveBeenCalled();
    t.clock.advance(1);
    expect(t.attempt).toHaveBeenCalledTimes(1);
    await flush();
    expect(t.onWaiting).toHaveBeenLastCalledWith(2_000, expect.anything());

    t.clock.advance(2_000);
    await flush();
    expect(t.attempt).toHaveBeenCalledTimes(2);
    expect(t.onWaiting).toHaveBeenLastCalledWith(
      4_000,
      expect.objectContaining({ code: "connection-refused" }),
    );

    t.clock.advance(4_000);
    await flush();
    expect(t.attempt).toHaveBeenCalledTimes(3);
    expect(t.onReconnected).toHaveBeenCalledTimes(1);
    expect(t.reconnector.state).toBe("idle");
    expect(t.clock.pending()).toEqual([]);
  });

  it("never retries a wrong password, an invalid certificate or missing TLS", async () => {
    for (const error of [
      authFailed(),
      new WrenError("certificate-invalid", "bad certificate"),
      new WrenError("tls-required", "no TLS"),
    ]) {
      const t = setup();
      t.reconnector.lost(error);
      expect(t.onGiveUp).toHaveBeenCalledWith(error);
      expect(t.reconnector.state).toBe("stopped");
      expect(t.clock.pending()).toEqual([]);
      expect(t.attempt).not.toHaveBeenCalled();
    }
  });

  it("gives up when an attempt fails in a way only the person can fix", async () => {
    const t = setup([authFailed()]);
    t.reconnector.lost(lost());
    t.clock.advance(1_000);
    await flush();
    expect(t.onGiveUp).toHaveBeenCalledWith(expect.objectContaining({ code: "auth-failed" }));
    expect(t.clock.pending()).toEqual([]);
    t.clock.advance(120_000);
    expect(t.attempt).toHaveBeenCalledTimes(1);
  });

  it("does not fight another client that took over the resource (stream error conflict)", () => {
    const conflict = Object.assign(new Error("conflict"), {
      name: "StreamError",
      condition: "conflict",
    });
    const t = setup();
    t.reconnector.lost(toWrenError(conflict, { domain: "example.org" }));
    expect(t.onGiveUp).toHaveBeenCalled();
    expect(t.clock.pending()).toEqual([]);

    const shutdown = Object.assign(new Error("bye"), {
      name: "StreamError",
      condition: "system-shutdown",
    });
    const u = setup();
    u.reconnector.lost(toWrenError(shutdown, { domain: "example.org" }));
    expect(u.onGiveUp).not.toHaveBeenCalled();
    expect(u.reconnector.state).toBe("waiting");
  });

  it("retryNow() skips the wait (network back, machine awake, 'reconnect now')", async () => {
    const t = setup([lost(), lost(), lost()]);
    t.reconnector.lost(lost());
    t.clock.advance(1_000);
    await flush();
    t.clock.advance(2_000);
    await flush();
    expect(t.clock.pending()).toEqual([4_000]);

    t.reconnector.retryNow();
    expect(t.attempt).toHaveBeenCalledTimes(3);
    await flush();
    expect(t.clock.pending()).toEqual([8_000]); // the schedule goes on where it was

    t.reconnector.retryNow();
    await flush();
    expect(t.onReconnected).toHaveBeenCalledTimes(1);
    t.reconnector.retryNow(); // online: nothing to do
    expect(t.attempt).toHaveBeenCalledTimes(4);
  });

  it("stop() cancels the wait and ignores an attempt already under way", async () => {
    const t = setup();
    t.reconnector.lost(lost());
    t.reconnector.stop();
    expect(t.clock.pending()).toEqual([]);
    t.clock.advance(60_000);
    expect(t.attempt).not.toHaveBeenCalled();

    let finish!: () => void;
    const u = setup();
    u.attempt.mockImplementationOnce(() => new Promise<void>((done) => (finish = done)));
    u.reconnector.lost(lost());
    u.clock.advance(1_000);
    u.reconnector.stop();
    finish();
    await flush();
    expect(u.onReconnected).not.toHaveBeenCalled();
    expect(u.reconnector.state).toBe("stopped");
    u.reconnector.lost(lost()); // stopped: a late loss starts nothing
    expect(u.clock.pending()).toEqual([]);
  });

  it("starts again from 1 s after a connection that stayed up 30 s", async () => {
    const t = setup([lost(), lost()]);
    t.reconnector.lost(lost());
    t.clock.advance(1_000);
    await flush();
    t.clock.advance(2_000);
    await flush();
    t.clock.advance(4_000);
    await flush();
    expect(t.onReconnected).toHaveBeenCalledTimes(1);

    t.clock.advance(5_000); // up only 5 s: flapping, keep backing off
    t.reconnector.lost(lost());
    expect(t.clock.pending()).toEqual([8_000]);
    t.clock.advance(8_000);
    await flush();

    t.clock.advance(30_000);
    t.reconnector.lost(lost());
    expect(t.clock.pending()).toEqual([1_000]);
  });
});
