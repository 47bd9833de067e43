// Numbers main and the renderer agree on.

/** Unread messages are counted up to this many: a conversation at it has at least that many. */
export const UNREAD_COUNTED = 10_000;
