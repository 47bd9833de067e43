import type { Migration } from "./migration";
import { messages } from "./0001-messages";
import { conversations } from "./0002-conversations";
import { shortIdKeys } from "./0003-short-id-keys";
import { attachments } from "./0004-attachments";

/**
 * Every schema step, oldest first. Append only: a released step is never edited, because
 * databases out there already ran it. (A new step: NNNN-name.ts exporting a Migration, added here.)
 */
export const MIGRATIONS: readonly Migration[] = [messages, conversations, shortIdKeys, attachments];

export type { Migration } from "./migration";
