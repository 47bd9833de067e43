import type { ArchivedMessage } from "../chat/chat";

/**
 * Archived messages that belong before a message kept at `ceiling` (ms): a page fetched
 * backwards. Archives stamp whole seconds, so a page's messages often share the second of the
 * message they come before; stored as they are, they would sort after it (equal times keep the
 * order of storing). Each gets a time strictly before the next, a millisecond apart where they
 * tie, which keeps the archive's order. Returns them, and the ceiling for the page before them.
 */
export function endingBefore(
  items: readonly ArchivedMessage[],
  ceiling: number | null,
): { items: ArchivedMessage[]; ceiling: number | null } {
  const result = [...items];
  let next = ceiling;
  for (let index = result.length - 1; index >= 0; index--) {
    const item = result[index]!;
    if (next !== null && (item.serverAt === null || item.serverAt >= next)) {
      result[index] = { ...item, serverAt: next - 1 };
    }
    next = result[index]!.serverAt ?? next;
  }
  return { items: result, ceiling: next };
}
