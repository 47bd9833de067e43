import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { xml, type Client, type Element } from "@xmpp/client";
import { runExchangeLoop, type ExchangeSteps } from "../../../../main/core/auth/exchange-loop";

const NS = "urn:test:sasl";

/** Just enough of an entity: it records what is sent, and the test plays the server. */
function fakeEntity() {
  const sent: Element[] = [];
  const entity = Object.assign(new EventEmitter(), {
    send: async (element: Element) => {
      sent.push(element);
    },
  });
  const receive = (name: string) => entity.emit("nonza", xml(name, { xmlns: NS }));
  return { entity: entity as unknown as Client, sent, receive };
}

/** An answer the test completes (or fails) when it likes, as a slow key derivation would. */
function deferredAnswer() {
  let resolve!: (element: Element) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<Element>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function run(step: ExchangeSteps["step"]) {
  const fake = fakeEntity();
  const done = runExchangeLoop(fake.entity, {
    ns: NS,
    name: "TEST",
    timeoutMs: 1000,
    open: () => xml("auth", { xmlns: NS }),
    step,
  });
  const outcome = done.then(
    () => "succeeded",
    (error: unknown) => error,
  );
  return { ...fake, outcome };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("runExchangeLoop", () => {
  it("sends an answer once it is ready", async () => {
    const answer = deferredAnswer();
    const { sent, receive } = run((element) =>
      element.name === "challenge" ? answer.promise : element.name === "success",
    );
    receive("challenge");
    await settled();
    expect(sent.map((element) => element.name)).toEqual(["auth"]);
    answer.resolve(xml("response", { xmlns: NS }));
    await settled();
    expect(sent.map((element) => element.name)).toEqual(["auth", "response"]);
  });

  it("hands over what arrives while an answer is computed, and never sends a late answer", async () => {
    const answer = deferredAnswer();
    const seen: string[] = [];
    const { sent, receive, outcome } = run((element) => {
      seen.push(element.name);
      if (element.name === "challenge") return answer.promise;
      throw new Error(`<${element.name}/> out of turn`);
    });
    receive("challenge");
    receive("success");
    expect(seen).toEqual(["challenge", "success"]);
    expect(await outcome).toMatchObject({ message: "<success/> out of turn" });
    answer.resolve(xml("response", { xmlns: NS }));
    await settled();
    expect(sent.map((element) => element.name)).toEqual(["auth"]);
  });

  it("ends with the error an answer fails with", async () => {
    const answer = deferredAnswer();
    const { receive, outcome } = run(() => answer.promise);
    receive("challenge");
    answer.reject(new Error("bad challenge"));
    expect(await outcome).toMatchObject({ message: "bad challenge" });
  });

  it("goes on past what step leaves alone, and finishes when it says so", async () => {
    const { sent, receive, outcome } = run((element) => element.name === "success");
    receive("other");
    receive("success");
    expect(await outcome).toBe("succeeded");
    expect(sent.map((element) => element.name)).toEqual(["auth"]);
  });
});
