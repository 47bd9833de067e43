import { EventEmitter } from "node:events";
import { xml, type Client } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import {
  captureResumption,
  countEveryStanza,
  handledOnceStored,
  restoreResumption,
} from "../../../main/core/stream-resumption";

const NS_SM = "urn:xmpp:sm:3";

/** Just the parts of an entity that stream resumption touches. */
function fakeEntity() {
  const entity = Object.assign(new EventEmitter(), {
    jid: null as unknown,
    streamManagement: Object.assign(new EventEmitter(), {
      enabled: false,
      id: "",
      inbound: 0,
      outbound: 0,
      outbound_q: [] as unknown[],
    }),
  });
  // What xmpp.js does wrong: it counts in a middleware that IQ replies never reach.
  entity.on("element", (element: ReturnType<typeof xml>) => {
    if (element.is("message")) entity.streamManagement.inbound += 1;
  });
  return entity as unknown as Client & EventEmitter;
}

/** Lets the counter see what the features did with this turn's stanzas. */
const handled = () => new Promise((done) => setImmediate(done));

describe("stream resumption", () => {
  it("counts every stanza from <enabled/> on, IQ replies included, whatever xmpp.js writes", async () => {
    const entity = fakeEntity();
    countEveryStanza(entity);
    entity.emit("element", xml("iq", { type: "result", id: "before" }));
    entity.emit("element", xml("enabled", { xmlns: NS_SM, id: "sm-1" }));
    entity.streamManagement.inbound = 0; // xmpp.js resetting late: ignored
    entity.emit("element", xml("iq", { type: "result", id: "roster" }));
    entity.emit("element", xml("presence"));
    entity.emit("element", xml("message", {}, xml("body", {}, "hi")));
    entity.emit("element", xml("r", { xmlns: NS_SM })); // not a stanza
    await handled();
    expect(entity.streamManagement.inbound).toBe(3);
  });

  it("counts from an <enabled/> that came inside SASL2's success (Bind2)", async () => {
    const entity = fakeEntity();
    countEveryStanza(entity);
    entity.emit("element", xml("iq", { type: "result", id: "before" }));
    entity.emit(
      "element",
      xml(
        "success",
        { xmlns: "urn:xmpp:sasl:2" },
        xml("bound", { xmlns: "urn:xmpp:bind:0" }, xml("enabled", { xmlns: NS_SM, id: "sm-2" })),
      ),
    );
    entity.emit("element", xml("presence"));
    await handled();
    expect(entity.streamManagement.inbound).toBe(1);
  });

  it("counts a message being stored only once it is stored, and nothing after it before", async () => {
    const entity = fakeEntity();
    countEveryStanza(entity);
    entity.emit("element", xml("enabled", { xmlns: NS_SM, id: "sm-1" }));
    let stored!: () => void;
    const message = xml("message", {}, xml("body", {}, "keep me"));
    entity.emit("element", message);
    handledOnceStored(message, new Promise<void>((done) => (stored = done)));
    entity.emit("element", xml("presence"));
    await handled();
    // The presence after it waits too: 'h' counts in order.
    expect(entity.streamManagement.inbound).toBe(0);
    stored();
    await handled();
    expect(entity.streamManagement.inbound).toBe(2);
  });

  it("carries id, counters, unacknowledged stanzas and JID over to a new entity", async () => {
    const old = fakeEntity();
    countEveryStanza(old);
    old.emit("element", xml("enabled", { xmlns: NS_SM, id: "sm-1" }));
    old.emit("element", xml("presence"));
    await handled();
    const stanza = xml("message", { type: "chat", id: "m1" }, xml("body", {}, "hi"));
    Object.assign(old.streamManagement, { id: "sm-1", outbound: 4 });
    old.streamManagement.outbound_q.push({ stanza, stamp: "2026-01-01T00:00:00Z" });
    old.jid = { toString: () => "a@example.org/r" } as Client["jid"];

    const resumption = captureResumption(old);
    expect(resumption).toMatchObject({ id: "sm-1", inbound: 1, outbound: 4 });

    const fresh = fakeEntity();
    countEveryStanza(fresh);
    restoreResumption(fresh, resumption!);
    expect(fresh.streamManagement).toMatchObject({ id: "sm-1", inbound: 1, outbound: 4 });
    expect(fresh.streamManagement.outbound_q).toEqual(old.streamManagement.outbound_q);
    expect(fresh.streamManagement.outbound_q).not.toBe(old.streamManagement.outbound_q);
    expect(fresh.jid).toBe(old.jid);
    fresh.emit("element", xml("message", {}, xml("body", {}, "resent by the server")));
    await handled();
    expect(fresh.streamManagement.inbound).toBe(2);
  });

  it("has nothing to resume when the server gave no resumption id", () => {
    expect(captureResumption(fakeEntity())).toBeNull();
  });
});
