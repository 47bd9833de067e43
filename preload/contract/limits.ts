// Numbers main and the renderer agree on.

/** Unread messages are counted up to this many: a conversation at it has at least that many. */
export const UNREAD_COUNTED = 10_000;

/** A file the page streams to main (no path: the preview, a pasted image) goes in chunks of this. */
export const FILE_CHUNK_BYTES = 128 * 1024;

/** Files dropped or picked at once. */
export const MAX_FILES_AT_ONCE = 50;
