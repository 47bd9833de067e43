import { describe, expect, it } from "vitest";
import { createSession } from "../../../main/core/account-runtime";

const options = { jid: "Alice@Example.org", password: "pw", directTls: false };

describe("createSession (without a server)", () => {
  it("normalises the account JID and starts offline", () => {
    const session = createSession(options);
    expect(session.jid).toBe("alice@example.org");
    expect(session.state()).toEqual({ state: "offline", jid: "alice@example.org", error: null });
    expect(session.rosterItems()).toEqual([]);
    expect(session.contactPresences()).toEqual([]);
    expect(session.subscriptionRequests()).toEqual([]);
  });

  it.each(["example.org", "alice@example.org/phone", "nope"])(
    "rejects the account JID %j",
    (jid) => {
      expect(() => createSession({ ...options, jid })).toThrowError(
        expect.objectContaining({ code: "invalid-argument" }),
      );
    },
  );

  it("rejects an empty password", () => {
    expect(() => createSession({ ...options, password: "" })).toThrowError(
      expect.objectContaining({ code: "invalid-argument" }),
    );
  });

  it("refuses commands while offline with not-signed-in, but keeps a message to send later", async () => {
    const session = createSession(options);
    await expect(session.sendMessage("bob@example.org", "hi")).resolves.toMatchObject({
      body: "hi",
      state: "queued",
    });
    await expect(session.addContact("bob@example.org")).rejects.toMatchObject({
      code: "not-signed-in",
    });
    await expect(session.approveSubscription("bob@example.org")).rejects.toMatchObject({
      code: "not-signed-in",
    });
    await expect(session.denySubscription("bob@example.org")).rejects.toMatchObject({
      code: "not-signed-in",
    });
  });

  it("validates addresses before anything else", async () => {
    const session = createSession(options);
    await expect(session.sendMessage("not an address", "hi")).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(session.addContact("alice@example.org")).rejects.toMatchObject({
      code: "invalid-argument",
    });
  });

  it("remembers the presence set while offline", async () => {
    const session = createSession(options);
    const seen: unknown[] = [];
    session.on("ownPresence", (presence) => seen.push(presence));
    await session.setPresence("dnd", "Focus");
    expect(session.ownPresence()).toEqual({ show: "dnd", status: "Focus" });
    expect(seen).toEqual([{ show: "dnd", status: "Focus" }]);
  });

  it("stop() while offline is harmless", async () => {
    const session = createSession(options);
    await session.stop();
    expect(session.state().state).toBe("offline");
  });
});
