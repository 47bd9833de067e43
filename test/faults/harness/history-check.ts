import { existsSync } from "node:fs";
import Database from "better-sqlite3";

// The invariant every fault test checks, in every iteration: each message sent by either side is
// in each side's database exactly once, and each sender's messages are in the order they were
// sent, in the order a conversation is shown (by time, then by the order they were stored).

/** A message one side sent, as the test wrote it. */
export interface SentMessage {
  /** The sending side's name ("A", "B"), for the report. */
  from: string;
  /** The sender's bare JID. */
  sender: string;
  /** Unique in a test run, so it identifies the message. */
  body: string;
}

/** A row of the conversation as stored. */
export interface StoredRow {
  seq: number;
  direction: string;
  sender: string;
  body: string;
  timestamp: number;
  state: string;
  originId: string | null;
  archiveId: string | null;
}

export interface HistoryExpectation {
  /** Whose database: "A's database", for the report. */
  where: string;
  /** The side whose database it is: its own messages are stored as outgoing. */
  owner: string;
  /** Every message sent, each side's in the order it sent them. */
  sent: SentMessage[];
  /**
   * Messages that may be there once or not at all: a send that was under way when the sending
   * Wren was killed (it never said whether it took the message).
   */
  maybeSent?: SentMessage[];
}

/** How the invariant broke, one line per kind; empty when it holds. */
export function checkHistory(rows: StoredRow[], expectation: HistoryExpectation): string[] {
  const { where, owner } = expectation;
  const maybe = expectation.maybeSent ?? [];
  const known = new Map<string, SentMessage>();
  for (const message of [...expectation.sent, ...maybe]) known.set(message.body, message);
  const rowsByBody = new Map<string, StoredRow[]>();
  for (const row of rows) rowsByBody.set(row.body, [...(rowsByBody.get(row.body) ?? []), row]);

  const problems: string[] = [];
  const missing = expectation.sent.filter((message) => !rowsByBody.has(message.body));
  if (missing.length > 0) {
    problems.push(
      `${where}: ${missing.length} of ${expectation.sent.length} sent messages missing: ` +
        list(missing.map((message) => label(message))),
    );
  }
  const duplicated = [...rowsByBody].filter(
    ([body, copies]) => copies.length > 1 && known.has(body),
  );
  if (duplicated.length > 0) {
    problems.push(
      `${where}: ${count(duplicated.length)} stored more than once: ` +
        list(
          duplicated.map(
            ([body, copies]) =>
              `${label(known.get(body)!)} ×${copies.length} [${copies.map(describe).join("; ")}]`,
          ),
        ),
    );
  }
  const unexpected = rows.filter((row) => !known.has(row.body));
  if (unexpected.length > 0) {
    problems.push(
      `${where}: ${count(unexpected.length)} stored that nobody sent: ` +
        list(unexpected.map((row) => `"${short(row.body)}" [${describe(row)}]`)),
    );
  }
  const misfiled = rows.filter((row) => {
    const message = known.get(row.body);
    if (!message) return false;
    const direction = message.from === owner ? "out" : "in";
    return row.direction !== direction || row.sender !== message.sender;
  });
  if (misfiled.length > 0) {
    problems.push(
      `${where}: ${count(misfiled.length)} with the wrong sender or direction: ` +
        list(misfiled.map((row) => `${label(known.get(row.body)!)} [${describe(row)}]`)),
    );
  }

  // Order: each sender's messages, as stored (first copies), against the order they were sent.
  const sendOrder = new Map<string, number>();
  for (const [index, message] of [...expectation.sent, ...maybe].entries()) {
    sendOrder.set(message.body, index);
  }
  const seen = new Set<string>();
  const lastBySender = new Map<string, SentMessage>();
  const inversions: string[] = [];
  for (const row of rows) {
    const message = known.get(row.body);
    if (!message || seen.has(row.body)) continue;
    seen.add(row.body);
    const previous = lastBySender.get(message.from);
    if (previous && sendOrder.get(previous.body)! > sendOrder.get(message.body)!) {
      inversions.push(`${label(message)} shown after ${label(previous)}`);
    }
    if (!previous || sendOrder.get(previous.body)! < sendOrder.get(message.body)!) {
      lastBySender.set(message.from, message);
    }
  }
  if (inversions.length > 0) {
    problems.push(`${where}: ${count(inversions.length)} out of order: ${list(inversions)}`);
  }
  return problems;
}

/**
 * One conversation as stored, in the order it is shown: by time, then by the order of storing
 * (migrations/0001-messages.ts, messages_by_conversation). Only read; a Wren may be running.
 */
export function readConversation(
  databasePath: string,
  accountId: string,
  conversation: string,
): StoredRow[] {
  if (!existsSync(databasePath)) return [];
  // Not read-only: after a SIGKILL the first reader may have to rebuild the WAL's index, which a
  // read-only connection cannot ("attempt to write a readonly database"). It only reads.
  const db = new Database(databasePath, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    // Killed before its first migration: nothing stored yet.
    const migrated = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'")
      .get();
    if (!migrated) return [];
    return db
      .prepare(
        `SELECT seq, direction, sender, body, timestamp, state,
                origin_id AS originId, archive_id AS archiveId
           FROM messages
          WHERE account_id = ? AND conversation = ?
          ORDER BY timestamp, seq`,
      )
      .all(accountId, conversation) as StoredRow[];
  } finally {
    db.close();
  }
}

function count(n: number): string {
  return n === 1 ? "1 message" : `${n} messages`;
}

/** The first few of a long list, and how many more there are. */
function list(items: string[], max = 8): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

function label(message: SentMessage): string {
  return `"${short(message.body)}"`;
}

/** The body without the padding some messages carry (see ChatPair.nextBody). */
function short(body: string): string {
  const text = body.replace(/ ~+$/, " ~…");
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function describe(row: StoredRow): string {
  const time = new Date(row.timestamp).toISOString().slice(11, 23);
  return (
    `seq ${row.seq} ${row.direction} ${row.state} at ${time}` +
    (row.originId ? ` origin-id ${row.originId}` : "") +
    (row.archiveId ? ` archive-id ${row.archiveId}` : "")
  );
}
