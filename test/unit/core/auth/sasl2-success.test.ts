import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { jid, xml, type Client, type Jid } from "@xmpp/client";
import { createInlineRegistry } from "../../../../main/core/auth/sasl2-inline";
import { applySuccess, type SuccessHandlers } from "../../../../main/core/auth/sasl2-success";

const NS = "urn:xmpp:sasl:2";

function fakeEntity(current: string | null) {
  const entity = Object.assign(new EventEmitter(), {
    jid: current ? jid(current) : null,
    status: "open",
    _jid(id: string) {
      entity.jid = jid(id);
    },
    _ready: vi.fn((resumed: boolean) => {
      entity.status = "online";
      if (!resumed) entity.emit("online", entity.jid);
    }),
  });
  return entity;
}

function handlers(overrides: Partial<SuccessHandlers> = {}): SuccessHandlers {
  return {
    sasl2: createInlineRegistry(() => {}),
    bind2: createInlineRegistry(() => {}),
    tokenMechanism: null,
    onToken: () => {},
    ...overrides,
  };
}

const success = (...children: ReturnType<typeof xml>[]) =>
  xml("success", { xmlns: NS }, ...children);
const identifier = (value: string) => xml("authorization-identifier", {}, value);

describe("applySuccess", () => {
  it("takes the full JID Bind2 bound, and goes online without a stream restart", () => {
    const entity = fakeEntity("alice@example.org");
    const online = vi.fn();
    entity.on("online", online);
    applySuccess(
      entity as unknown as Client,
      success(
        identifier("alice@example.org/Wren.1f2e"),
        xml("bound", { xmlns: "urn:xmpp:bind:0" }),
      ),
      handlers(),
    );
    expect(entity.jid?.toString()).toBe("alice@example.org/Wren.1f2e");
    expect(online).toHaveBeenCalledTimes(1);
  });

  it("stays short of online without <bound/>: RFC 6120 binding comes next", () => {
    const entity = fakeEntity(null);
    applySuccess(entity as unknown as Client, success(identifier("alice@example.org")), handlers());
    expect(entity.jid?.toString()).toBe("alice@example.org");
    expect(entity._ready).not.toHaveBeenCalled();
  });

  it("keeps the full JID of a session to resume when the identifier is the same bare JID", () => {
    const entity = fakeEntity("alice@example.org/laptop");
    applySuccess(entity as unknown as Client, success(identifier("Alice@Example.org")), handlers());
    expect((entity.jid as Jid).toString()).toBe("alice@example.org/laptop");
  });

  it("reads XEP-0386's spelling, <authorization-identity/>, too", () => {
    const entity = fakeEntity(null);
    applySuccess(
      entity as unknown as Client,
      success(xml("authorization-identity", {}, "alice@example.org/x")),
      handlers(),
    );
    expect(entity.jid?.toString()).toBe("alice@example.org/x");
  });

  it("hands a token over bound to the mechanism asked for, and ignores one not asked for", () => {
    const token = xml("token", {
      xmlns: "urn:xmpp:fast:0",
      token: "secret",
      expiry: "2030-01-01T00:00:00Z",
    });
    const onToken = vi.fn();
    applySuccess(
      fakeEntity(null) as unknown as Client,
      success(identifier("a@b"), token),
      handlers({ tokenMechanism: "HT-SHA-256-ENDP", onToken }),
    );
    expect(onToken).toHaveBeenCalledWith({
      mechanism: "HT-SHA-256-ENDP",
      token: "secret",
      expiry: "2030-01-01T00:00:00Z",
    });
    onToken.mockClear();
    applySuccess(fakeEntity(null) as unknown as Client, success(token), handlers({ onToken }));
    expect(onToken).not.toHaveBeenCalled();
  });

  it("delivers other answers: <success/>'s to SASL2 features, <bound/>'s to Bind2 features", () => {
    const sasl2 = createInlineRegistry(() => {});
    const bind2 = createInlineRegistry(() => {});
    const resumed = vi.fn();
    const enabled = vi.fn();
    sasl2.use("urn:xmpp:sm:3", () => undefined, resumed);
    bind2.use("urn:xmpp:sm:3", () => undefined, enabled);
    applySuccess(
      fakeEntity(null) as unknown as Client,
      success(
        identifier("a@b/c"),
        xml("resumed", { xmlns: "urn:xmpp:sm:3", h: "1", previd: "p" }),
        xml(
          "bound",
          { xmlns: "urn:xmpp:bind:0" },
          xml("enabled", { xmlns: "urn:xmpp:sm:3", id: "s" }),
        ),
      ),
      handlers({ sasl2, bind2 }),
    );
    expect(resumed.mock.calls[0]?.[0].name).toBe("resumed");
    expect(enabled.mock.calls[0]?.[0].name).toBe("enabled");
  });
});
