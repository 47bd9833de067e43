import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage, Transfer, WrenEvent } from "../../../preload/contract";
import { createEventBatcher } from "../../../main/api/event-batcher";

const transfer = (id: string, transferred: number, state: Transfer["state"] = "running") =>
  ({
    id,
    accountId: "a",
    peer: "bob@x",
    direction: "upload",
    name: `${id}.jpg`,
    size: 1000,
    transferred,
    rate: null,
    state,
    error: null,
    messageId: null,
    savedName: null,
    canRetry: false,
  }) satisfies Transfer;

const message = (id: string): ChatMessage => ({
  id,
  peer: "bob@x",
  direction: "in",
  body: id,
  timestamp: 1,
  delayed: false,
  state: "received",
});

const transfers = (changed: Transfer[], removed: string[] = []): WrenEvent => ({
  type: "transfers",
  changed,
  removed,
});

function setup() {
  const deliver = vi.fn<(events: WrenEvent[]) => void>();
  const batcher = createEventBatcher({ deliver, windowMs: 16 });
  const delivered = () => deliver.mock.calls.flatMap(([events]) => events);
  return { batcher, deliver, delivered };
}

describe("transfers events in a batch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("merge into one, each transfer in its latest state, in the order first told", () => {
    const { batcher, deliver, delivered } = setup();
    batcher.push(transfers([transfer("t1", 0)]));
    batcher.push(transfers([transfer("t2", 0)]));
    for (let sent = 100; sent <= 1000; sent += 100) {
      batcher.push(transfers([transfer("t1", sent)]));
    }
    batcher.push(transfers([transfer("t1", 1000, "done"), transfer("t2", 50)]));
    vi.advanceTimersByTime(16);
    expect(deliver).toHaveBeenCalledOnce();
    expect(delivered()).toEqual([
      transfers([transfer("t1", 1000, "done"), transfer("t2", 50)], []),
    ]);
  });

  it("keep a removed transfer removed, and drop its earlier changes", () => {
    const { batcher, delivered } = setup();
    batcher.push(transfers([transfer("t1", 10), transfer("t2", 10)]));
    batcher.push(transfers([], ["t1"]));
    batcher.push(transfers([transfer("t2", 20)], ["t3"]));
    batcher.push(transfers([], ["t1"]));
    batcher.flush();
    expect(delivered()).toEqual([transfers([transfer("t2", 20)], ["t1", "t3"])]);
  });

  it("do not merge across another kind of event, which keeps its place", () => {
    const { batcher, delivered } = setup();
    batcher.push(transfers([transfer("t1", 10)]));
    batcher.push({ type: "messages", accountId: "a", messages: [message("m1")] });
    batcher.push(transfers([transfer("t1", 1000, "done")]));
    batcher.flush();
    expect(delivered()).toEqual([
      transfers([transfer("t1", 10)]),
      { type: "messages", accountId: "a", messages: [message("m1")] },
      transfers([transfer("t1", 1000, "done")]),
    ]);
  });

  it("belong to no account: an account's messages still merge past them", () => {
    const { batcher, delivered } = setup();
    batcher.push({ type: "messages", accountId: "a", messages: [message("m1")] });
    batcher.push(transfers([transfer("t1", 10)]));
    batcher.push({ type: "messages", accountId: "a", messages: [message("m2")] });
    batcher.flush();
    expect(delivered()).toEqual([
      { type: "messages", accountId: "a", messages: [message("m1"), message("m2")] },
      transfers([transfer("t1", 10)]),
    ]);
  });

  it("leave the caller's arrays as they were", () => {
    const { batcher, delivered } = setup();
    const first = transfers([transfer("t1", 10)], ["t0"]);
    const firstCopy = structuredClone(first);
    const second = transfers([transfer("t1", 20), transfer("t2", 0)], ["t9"]);
    const secondCopy = structuredClone(second);
    batcher.push(first);
    batcher.push(second);
    batcher.flush();
    expect(first).toEqual(firstCopy);
    expect(second).toEqual(secondCopy);
    expect(delivered()).toEqual([transfers([transfer("t1", 20), transfer("t2", 0)], ["t0", "t9"])]);
  });

  it("of separate windows are delivered separately", () => {
    const { batcher, deliver } = setup();
    batcher.push(transfers([transfer("t1", 10)]));
    vi.advanceTimersByTime(16);
    batcher.push(transfers([transfer("t1", 20)]));
    vi.advanceTimersByTime(16);
    expect(deliver.mock.calls).toEqual([
      [[transfers([transfer("t1", 10)])]],
      [[transfers([transfer("t1", 20)])]],
    ]);
  });
});
