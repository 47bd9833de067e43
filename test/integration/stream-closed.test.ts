import { afterAll, describe, expect, inject, it } from "vitest";
import { nextEvent, sessionPool } from "./helpers";
import { registerAccount } from "./setup/accounts";

const server = inject("xmpp");
const pool = sessionPool();

describe("the server closes the stream while online", () => {
  afterAll(() => pool.stopAll());

  it("turns the session to error/stream-closed with the server's reason", async () => {
    const account = await registerAccount(server.configPath);
    const first = await pool.signIn(account, { resource: "laptop" });
    const failed = nextEvent(first, "state", (state) => state.state === "error");

    // Same account, same resource: Prosody replaces the first session with a <conflict/> stream error.
    const second = await pool.signIn(account, { resource: "laptop" });
    const [state] = await failed;

    expect(state.error?.code).toBe("stream-closed");
    expect(state.error?.message).toContain("conflict");
    expect(first.state()).toEqual(state);
    expect(second.state().state).toBe("online");

    // The failed session can sign in again (and now it is the second one that gets replaced).
    const secondReplaced = nextEvent(second, "state", (s) => s.error?.code === "stream-closed");
    await first.start();
    expect(first.state().state).toBe("online");
    await secondReplaced;
  });
});
