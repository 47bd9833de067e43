import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { xml, type Client, type Element } from "@xmpp/client";
import { runSasl2Exchange, sasl2Failure } from "../../../../main/core/auth/sasl2-exchange";
import { SaslSecurityError, type SaslExchange } from "../../../../main/core/sasl/mechanism";

const NS = "urn:xmpp:sasl:2";
const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

/** Just enough of an entity: it records what is sent, and the test plays the server. */
function fakeEntity() {
  const sent: Element[] = [];
  const entity = Object.assign(new EventEmitter(), {
    send: async (element: Element) => {
      sent.push(element);
    },
  });
  const receive = (element: Element) => entity.emit("nonza", element);
  return { entity: entity as unknown as Client, sent, receive };
}

function fakeExchange(overrides: Partial<SaslExchange> = {}): SaslExchange {
  return {
    name: "TEST",
    initialResponse: () => Buffer.from("first"),
    challenge: async (data) => Buffer.from(`answer to ${data.toString()}`),
    success: () => {},
    ...overrides,
  };
}

function run(exchange: SaslExchange, onSuccess: (success: Element) => void = () => {}) {
  const fake = fakeEntity();
  const done = runSasl2Exchange(fake.entity, {
    exchange,
    extensions: [xml("user-agent", { id: "ua" })],
    onSuccess,
    timeoutMs: 1000,
    domain: "example.org",
  });
  return { ...fake, done };
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("runSasl2Exchange", () => {
  it("sends <authenticate/> with the initial response, then the extensions", () => {
    const { sent } = run(fakeExchange());
    expect(sent[0]?.toString()).toBe(
      `<authenticate xmlns="${NS}" mechanism="TEST"><initial-response>${b64("first")}</initial-response><user-agent id="ua"/></authenticate>`,
    );
  });

  it("sends empty data as an empty element, not RFC 6120's '='", () => {
    const { sent } = run(fakeExchange({ initialResponse: () => Buffer.alloc(0) }));
    expect(sent[0]?.getChildText("initial-response")).toBe("");
  });

  it("answers each challenge with a response", async () => {
    const challenge = vi.fn(async (data: Buffer) => Buffer.from(`answer to ${data.toString()}`));
    const { sent, receive } = run(fakeExchange({ challenge }));
    receive(xml("challenge", { xmlns: NS }, b64("server-first")));
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(challenge).toHaveBeenCalledWith(Buffer.from("server-first"));
    expect(sent[1]?.toString()).toBe(
      `<response xmlns="${NS}">${b64("answer to server-first")}</response>`,
    );
  });

  it("hands <additional-data/> to the mechanism, then calls onSuccess before resolving", async () => {
    const order: string[] = [];
    const exchange = fakeExchange({
      success: (data) => order.push(`verified ${data?.toString()}`),
    });
    const { receive, done } = run(exchange, () => order.push("onSuccess"));
    receive(xml("success", { xmlns: NS }, xml("additional-data", {}, b64("v=proof"))));
    expect(order).toEqual(["verified v=proof", "onSuccess"]);
    await expect(done).resolves.toBeUndefined();
  });

  it("passes null when <success/> has no additional data, so a mechanism can insist", async () => {
    const success = vi.fn((data: Buffer | null) => {
      if (data === null) throw new SaslSecurityError("sasl-server-unverified", "unproven");
    });
    const onSuccess = vi.fn();
    const { receive, done } = run(fakeExchange({ success }), onSuccess);
    receive(xml("success", { xmlns: NS }, xml("authorization-identifier", {}, "a@example.org")));
    await expect(done).rejects.toMatchObject({ code: "sasl-server-unverified" });
    expect(success).toHaveBeenCalledWith(null);
    expect(onSuccess).not.toHaveBeenCalled();
  });

  it("refuses additional data that is not strict base64", async () => {
    const { receive, done } = run(fakeExchange());
    receive(xml("success", { xmlns: NS }, xml("additional-data", {}, "not base64!")));
    await expect(done).rejects.toMatchObject({ code: "sasl-protocol" });
  });

  it("rejects with a SASLError on <failure/>", async () => {
    const { receive, done } = run(fakeExchange());
    receive(xml("failure", { xmlns: NS }, xml("not-authorized", { xmlns: NS_SASL })));
    await expect(done).rejects.toMatchObject({ name: "SASLError", condition: "not-authorized" });
  });

  it("explains <continue/>, naming the tasks", async () => {
    const { receive, done } = run(fakeExchange());
    receive(
      xml(
        "continue",
        { xmlns: NS },
        xml("tasks", {}, xml("task", {}, "HOTP-EXAMPLE"), xml("task", {}, "TOTP-EXAMPLE")),
        xml("text", {}, "This account requires 2FA"),
      ),
    );
    const error = await done.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(SaslSecurityError);
    expect((error as Error).message).toMatch(/example\.org.*HOTP-EXAMPLE, TOTP-EXAMPLE.*2FA/);
  });

  it("ignores elements of other namespaces", async () => {
    const { receive, done } = run(fakeExchange());
    receive(xml("success", { xmlns: NS_SASL }));
    receive(xml("success", { xmlns: NS }, xml("additional-data", {}, b64("ok"))));
    await expect(done).resolves.toBeUndefined();
  });

  it("gives up after the timeout", async () => {
    vi.useFakeTimers();
    try {
      const { done } = run(fakeExchange());
      const outcome = done.catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await outcome).toMatchObject({ name: "TimeoutError" });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("sasl2Failure", () => {
  it("finds the RFC 6120 condition wherever it is among text and application elements", () => {
    const error = sasl2Failure(
      xml(
        "failure",
        { xmlns: NS },
        xml("text", {}, " Bad password "),
        xml("optional-application-specific", { xmlns: "urn:something:else" }),
        xml("credentials-expired", { xmlns: NS_SASL }),
      ),
    );
    expect(error).toMatchObject({
      name: "SASLError",
      condition: "credentials-expired",
      text: "Bad password",
    });
    expect((error as { application?: Element }).application?.name).toBe(
      "optional-application-specific",
    );
  });

  it("survives an empty <failure/>", () => {
    expect(sasl2Failure(xml("failure", { xmlns: NS }))).toMatchObject({
      condition: "undefined-condition",
    });
  });
});
