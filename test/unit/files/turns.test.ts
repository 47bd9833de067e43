import { describe, expect, it } from "vitest";
import { Turns } from "../../../main/files/turns";

describe("Turns", () => {
  it("gives at most its size at once, and the next in order as each is released", async () => {
    const turns = new Turns(2);
    const first = turns.tryTake();
    const second = turns.tryTake();
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(turns.tryTake()).toBeNull();

    const order: string[] = [];
    const third = turns.take(new AbortController().signal).then((release) => {
      order.push("third");
      return release;
    });
    const fourth = turns.take(new AbortController().signal).then((release) => {
      order.push("fourth");
      return release;
    });
    first!();
    first!(); // a second release of the same turn frees nothing more
    (await third)();
    await fourth;
    expect(order).toEqual(["third", "fourth"]);
    expect(turns.tryTake()).toBeNull();
  });

  it("lets a waiting caller give up, and passes its turn to the next", async () => {
    const turns = new Turns(1);
    const holder = turns.tryTake()!;
    const giving = new AbortController();
    const gaveUp = turns.take(giving.signal);
    const next = turns.take(new AbortController().signal);
    giving.abort(new Error("no longer wanted"));
    await expect(gaveUp).rejects.toThrow("no longer wanted");
    holder();
    expect(typeof (await next)).toBe("function");
  });

  it("refuses at once when already aborted", async () => {
    const turns = new Turns(1);
    const aborted = AbortSignal.abort(new Error("stop"));
    await expect(turns.take(aborted)).rejects.toThrow("stop");
    expect(turns.tryTake()).not.toBeNull();
  });
});
