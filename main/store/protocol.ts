import type { MessageStore } from "./message-store";

// What main and the store worker say to each other. The method names and their arguments and
// results are MessageStore's own: nothing here is spelled twice.

export type StoreMethod = keyof MessageStore;

export interface StoreRequest<M extends StoreMethod = StoreMethod> {
  id: number;
  method: M;
  args: Parameters<MessageStore[M]>;
}

/** An error as it crosses the thread boundary: its kind and SQLite's code, never a stack. */
export interface PlainError {
  name: string;
  message: string;
  code?: string;
}

export type StoreResponse =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: PlainError };

/** What the worker sends unasked: a line for main's log (never a message's text). */
export interface StoreLogLine {
  log: "info" | "warn" | "error";
  message: string;
  data?: Record<string, unknown>;
}

/**
 * Main sends the requests it made in one tick as one message, and the worker answers everything
 * it finished at once in one: a page of 500 messages costs two messages, not a thousand.
 */
export type StoreRequests = StoreRequest[];
export type StoreWorkerMessage = StoreResponse[] | StoreLogLine;

export interface StoreWorkerData {
  path: string;
}

/** The worker's first answer, to this id: the database is open and migrated, or why not. */
export const OPEN_REQUEST_ID = 0;

export interface OpenResult {
  schemaVersion: number;
  migratedFrom: number;
}

/** The code of the error a database written by a newer Wren is refused with. */
export const SCHEMA_TOO_NEW = "WREN_SCHEMA_TOO_NEW";

export function toPlainError(error: unknown): PlainError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string"
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message };
  }
  return { name: typeof error, message: String(error) };
}
