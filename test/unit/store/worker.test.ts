import { describe, expect, it, afterEach } from "vitest";
import { WrenError } from "../../../main/shared/errors";
import { configureLogging } from "../../../main/shared/log";
import { defaultWorkerUrl } from "../../../main/store/open-store";
import { message, UNUSABLE, useStoreDir } from "./helpers";

const store = useStoreDir();
const dyingWorker = new URL("./fixtures/dying-worker.ts", import.meta.url);
const BOB = { accountId: "alice", conversation: "bob@example.org" };

function captureLog(): string[] {
  const lines: string[] = [];
  configureLogging({ sinks: [{ write: (line) => lines.push(line) }], level: "debug" });
  return lines;
}
afterEach(() => configureLogging({ sinks: [] }));

async function rejection(promise: Promise<unknown>): Promise<WrenError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WrenError);
  return error as WrenError;
}

describe("the store's worker", () => {
  it("finds the TypeScript worker from source and the bundled one beside the bundle", () => {
    expect(defaultWorkerUrl("file:///repo/main/store/open-store.ts").href).toBe(
      "file:///repo/main/store/worker/store-worker.ts",
    );
    expect(defaultWorkerUrl("file:///app/resources/app.asar/out/main/index.js").href).toBe(
      "file:///app/resources/app.asar/out/main/store-worker.js",
    );
  });

  it("rejects every pending call with a readable error when the thread ends, and main carries on", async () => {
    const lines = captureLog();
    const messages = await store.open({ workerUrl: dyingWorker });
    await messages.add(message());

    const calls = [
      messages.search({ text: "__exit__", limit: 1 }),
      messages.add(message()),
      messages.page({ ...BOB, limit: 10 }),
    ];
    for (const call of calls) {
      const error = await rejection(call);
      expect(error.code).toBe("internal");
      expect(error.message).toBe(UNUSABLE);
    }
    // Later calls fail the same way at once; close still resolves.
    expect((await rejection(messages.page({ ...BOB, limit: 1 }))).message).toBe(UNUSABLE);
    await messages.close();
    expect(lines.join("")).toMatch(/worker stopped \(exit code 3\)/);
  });

  it("survives an exception thrown in the worker the same way", async () => {
    const lines = captureLog();
    const messages = await store.open({ workerUrl: dyingWorker });
    const calls = [messages.search({ text: "__throw__", limit: 1 }), messages.add(message())];
    for (const call of calls) expect((await rejection(call)).message).toBe(UNUSABLE);
    expect(lines.join("")).toMatch(/worker failed/);
  });

  it("answers reads asked together in order, each seeing the writes before it, a failing one alone", async () => {
    const messages = await store.open();
    const first = message({ originId: "O-1" });
    const second = message();
    // Asked in one tick: one message to the worker, the reads among them in one transaction.
    const answers = Promise.allSettled([
      messages.add(first),
      messages.page({ ...BOB, limit: 10 }),
      messages.search({ text: "message", limit: Number.NaN }),
      messages.findByReference({ ...BOB, direction: "in", ref: "O-1" }),
      messages.add(second),
      messages.page({ ...BOB, limit: 10 }),
      messages.syncState("alice"),
    ]);
    const [added, before, failed, found, , after, sync] = await answers;
    expect(added).toEqual({ status: "fulfilled", value: undefined });
    expect(before).toEqual({ status: "fulfilled", value: [first] });
    expect(failed.status).toBe("rejected");
    expect(found).toEqual({ status: "fulfilled", value: first });
    expect(after).toEqual({ status: "fulfilled", value: [first, second] });
    expect(sync).toEqual({ status: "fulfilled", value: null });
    await messages.close();
  });

  it("finishes what was asked before close, and refuses calls after it", async () => {
    const messages = await store.open();
    const pending = [messages.add(message()), messages.add(message())];
    const closed = messages.close();
    expect(messages.close()).toBe(closed);
    await Promise.all([...pending, closed]);
    expect((await rejection(messages.page({ ...BOB, limit: 1 }))).message).toBe(UNUSABLE);
    const reopened = await store.open();
    expect(await reopened.page({ ...BOB, limit: 10 })).toHaveLength(2);
  });

  it("never writes a message's text to the log, also when a write fails", async () => {
    const lines = captureLog();
    const messages = await store.open();
    const secret = message({ body: "the secret is 1234" });
    await messages.add(secret);
    await rejection(messages.add(secret)); // same id again
    await rejection(messages.add(message({ body: "another secret", correctsId: "missing" })));
    await messages.search({ text: "secret", limit: 5 });
    await messages.close();
    const log = lines.join("");
    expect(log).toMatch(/add failed/);
    expect(log).toMatch(/SQLITE_CONSTRAINT/);
    expect(log).not.toMatch(/secret/);
  });

  it("keeps main's event loop free while it works", async () => {
    const messages = await store.open();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20_000 }, (_, index) =>
        messages.add(message({ body: `busy message number ${index} with a few words` })),
      ),
    );
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // The writes took the worker a while; main's timer kept firing through them.
    expect(ticks).toBeGreaterThan(elapsed / 20);
  });
});
