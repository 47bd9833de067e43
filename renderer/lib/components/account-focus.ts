import { tick } from "svelte";

// Where focus goes back to once a menu or dialog about an account closes. The dialogs are not
// inside the account's row, so its elements are found by id.

export function menuButtonId(accountId: string): string {
  return `account-menu-button-${accountId}`;
}

export function menuId(accountId: string): string {
  return `account-menu-${accountId}`;
}

export function trustButtonId(accountId: string): string {
  return `trust-certificate-${accountId}`;
}

/**
 * Focus after a dialog about an account's problem: back on the button that opened it, or, once
 * the problem is solved and its button gone, on the account's actions.
 */
export async function focusAfterProblem(accountId: string, solved: boolean): Promise<void> {
  await tick();
  const button = solved ? null : document.getElementById(trustButtonId(accountId));
  (button ?? document.getElementById(menuButtonId(accountId)))?.focus();
}
