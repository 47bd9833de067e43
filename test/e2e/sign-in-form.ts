import type { Locator, Page } from "playwright-core";
import { inject } from "vitest";

/** Fills the sign-in form for the test Prosody (opening "Advanced" for its host and port) and sends it. */
export async function signInThroughForm(scope: Page | Locator, jid: string, password: string) {
  const server = inject("xmpp");
  await scope.getByLabel("Address", { exact: true }).fill(jid);
  await scope.getByLabel("Password", { exact: true }).fill(password);
  if (!(await scope.getByLabel("Server host").isVisible())) {
    await scope.getByText("Advanced").click();
  }
  await scope.getByLabel("Server host").fill(server.host);
  await scope.getByLabel("Port", { exact: true }).fill(String(server.c2sPort));
  await scope.getByRole("button", { name: "Sign in" }).click();
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
