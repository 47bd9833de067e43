import type { AccountSummary } from "../../preload/contract";

export type AccountStatus =
  "disabled" | "needs-password" | "offline" | "connecting" | "online" | "error";

/** What an account's dot and label show, in order of what the person must act on. */
export function accountStatus(account: AccountSummary): AccountStatus {
  if (!account.enabled) return "disabled";
  if (account.state.state === "error") return "error";
  if (account.needsPassword && account.state.state !== "online") return "needs-password";
  return account.state.state;
}

export const STATUS_LABELS: Record<AccountStatus, string> = {
  disabled: "Disabled",
  "needs-password": "Needs password",
  offline: "Offline",
  connecting: "Connecting…",
  online: "Connected",
  error: "Disconnected",
};

/** The dot's colour class (see app.css `.state-dot`). */
export function statusDot(status: AccountStatus): string {
  if (status === "online") return "online";
  if (status === "connecting") return "connecting";
  if (status === "error" || status === "needs-password") return "error";
  return "offline";
}
