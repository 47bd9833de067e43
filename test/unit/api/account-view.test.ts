import { describe, expect, it, vi } from "vitest";
import type { AccountManager } from "../../../main/accounts/account-manager";
import { accountData, DEFAULT_PRESENCE } from "../../../main/api/account-view";
import type { XmppSession } from "../../../main/core/session-api";
import type { Logger } from "../../../main/shared/log";

describe("accountData", () => {
  it("shows a session that throws as empty, and logs which part failed without its message", () => {
    const session = {
      rosterItems: () => {
        throw new TypeError("roster of carol@example.org: hunter2");
      },
      contactPresences: () => [],
      subscriptionRequests: () => [],
      ownPresence: () => ({ show: "away", status: "" }),
    } as unknown as XmppSession;
    const accounts = { session: () => session } as unknown as AccountManager;
    const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies Logger;

    const data = accountData(accounts, "alice", DEFAULT_PRESENCE, log);

    expect(data).toMatchObject({ roster: [], ownPresence: { show: "away" } });
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.error).toHaveBeenCalledWith("a session could not report its state", {
      accountId: "alice",
      part: "roster",
      error: "TypeError",
    });
  });
});
