import { EventEmitter } from "node:events";
import { jid, xml, type Client, type Element } from "@xmpp/client";
import createMiddleware from "@xmpp/middleware";
import { describe, expect, it, vi } from "vitest";
import { createSession } from "../../../main/core/account-runtime";
import type { ConnectionParams } from "../../../main/core/connection";
import type { ChatMessage } from "../../../preload/contract";

// A session driven without a server: the client factory is injected, and the fake entity below
// plays the parts of xmpp.js the session uses. What it proves is the order of trust: nothing
// reaches the features before authentication, what comes between authentication and binding waits,
// and a stream bound to anyone but the account is dropped with everything it sent.

const ACCOUNT = "alice@example.org";
const NS_ROSTER = "jabber:iq:roster";

class FakeEntity extends EventEmitter {
  jid: ReturnType<typeof jid> | null = null;
  socket: { destroy(): void } | null = { destroy: () => {} };
  secure = false;
  sent: Element[] = [];
  readonly middleware = createMiddleware({ entity: this as unknown as Client });
  readonly streamManagement = Object.assign(new EventEmitter(), {
    inbound: 0,
    outbound: 0,
    outbound_q: [],
    enabled: false,
    id: "",
  });
  readonly iqCaller = {
    request: async (iq: Element) => {
      const query = iq.getChildElements()[0];
      if (query?.is("query", NS_ROSTER)) {
        return xml(
          "iq",
          { type: "result" },
          xml(
            "query",
            { xmlns: NS_ROSTER },
            xml("item", { jid: "bob@example.org", subscription: "both" }),
          ),
        );
      }
      return xml("iq", { type: "result" });
    },
  };

  isSecure() {
    return this.secure;
  }
  async connect() {}
  async open() {}
  async stop() {}
  async send(stanza: Element) {
    this.sent.push(stanza);
  }
  receive(stanza: Element) {
    this.emit("element", stanza);
  }
}

function chat(body: string) {
  return xml("message", { from: "bob@example.org/phone", type: "chat" }, xml("body", {}, body));
}

function setup() {
  const entity = new FakeEntity();
  let params: ConnectionParams | null = null;
  const session = createSession({
    jid: ACCOUNT,
    password: "pw",
    host: "127.0.0.1",
    port: 5222,
    directTls: false,
    createClient: (given) => {
      params = given;
      return entity as unknown as Client;
    },
  });
  const messages: ChatMessage[] = [];
  session.on("message", (message) => messages.push(message));
  const started = session.start();
  started.catch(() => {});
  const connected = async () => {
    await vi.waitFor(() => expect(params).not.toBeNull());
    return params!;
  };
  const authenticate = (p: ConnectionParams) => {
    entity.secure = true;
    p.onAuthenticated({
      mechanism: "SCRAM-SHA-1",
      channelBinding: null,
      plainWarning: false,
      pin: { mechanism: "SCRAM-SHA-1", channelBinding: false },
    });
  };
  return { entity, session, messages, started, connected, authenticate };
}

describe("a session's stanzas, by how far the stream got", () => {
  it("drops what comes before authentication, holds what comes before binding, then routes", async () => {
    const { entity, session, messages, started, connected, authenticate } = setup();
    const params = await connected();

    entity.receive(chat("before TLS and SASL"));
    entity.receive(
      xml(
        "iq",
        { type: "set", id: "push" },
        xml("query", { xmlns: NS_ROSTER }, xml("item", { jid: "mallory@evil.example" })),
      ),
    );
    authenticate(params);
    entity.receive(chat("after SASL, before binding"));
    expect(messages).toEqual([]);

    entity.jid = jid(`${ACCOUNT}/wren`);
    entity.emit("online");
    await started;

    expect(messages.map((message) => message.body)).toEqual(["after SASL, before binding"]);
    expect(session.rosterItems().map((item) => item.jid)).toEqual(["bob@example.org"]);
    // The forged push was neither applied nor answered.
    expect(entity.sent.some((stanza) => stanza.attrs.id === "push")).toBe(false);

    entity.receive(chat("online"));
    await vi.waitFor(() =>
      expect(messages.map((message) => message.body)).toEqual([
        "after SASL, before binding",
        "online",
      ]),
    );
    await session.stop();
  });

  it("drops everything a stream sent when it is bound to another account", async () => {
    const { entity, session, messages, started, connected, authenticate } = setup();
    authenticate(await connected());
    entity.receive(chat("from a stream that is not ours"));
    entity.jid = jid("mallory@example.org/x");
    entity.emit("online");

    await expect(started).rejects.toMatchObject({ code: "auth-failed" });
    expect(messages).toEqual([]);
    expect(session.rosterItems()).toEqual([]);
  });

  it("announces Wren's capabilities in the initial presence", async () => {
    const { entity, session, started, connected, authenticate } = setup();
    authenticate(await connected());
    entity.jid = jid(`${ACCOUNT}/wren`);
    entity.emit("online");
    await started;
    const presence = entity.sent.find((stanza) => stanza.is("presence"));
    const caps = presence?.getChild("c", "http://jabber.org/protocol/caps");
    expect(caps?.attrs).toMatchObject({ hash: "sha-1", node: "https://wren.im" });
    expect(caps?.attrs.ver).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    await session.stop();
  });
});
