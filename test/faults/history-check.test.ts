import { describe, expect, it } from "vitest";
import { checkHistory, type SentMessage, type StoredRow } from "./harness/history-check";

// The invariant checker itself: a fault test is only as good as its judge.

const A = "alice@localhost";
const B = "bob@localhost";
const sent: SentMessage[] = [
  { from: "A", sender: A, body: "a1" },
  { from: "B", sender: B, body: "b1" },
  { from: "A", sender: A, body: "a2" },
  { from: "B", sender: B, body: "b2" },
];

let seq = 0;
function row(body: string, sender = body.startsWith("a") ? A : B, direction?: string): StoredRow {
  seq++;
  return {
    seq,
    direction: direction ?? (sender === A ? "out" : "in"),
    sender,
    body,
    timestamp: 1_000 + seq,
    state: sender === A ? "sent" : "received",
    originId: null,
    archiveId: null,
  };
}

const check = (rows: StoredRow[], maybeSent: SentMessage[] = []) =>
  checkHistory(rows, { where: "A's database", owner: "A", sent, maybeSent });

describe("the fault tests' invariant", () => {
  it("holds when every message is there once, each sender's in order", () => {
    // B's messages may interleave with A's in any way; only each sender's own order counts.
    expect(check([row("b1"), row("a1"), row("b2"), row("a2")])).toEqual([]);
  });

  it("names the messages that are missing", () => {
    const problems = check([row("a1"), row("b1"), row("a2")]);
    expect(problems).toEqual([`A's database: 1 of 4 sent messages missing: "b2"`]);
  });

  it("names the messages stored twice, with both copies", () => {
    const problems = check([row("a1"), row("b1"), row("b1"), row("a2"), row("b2")]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/1 message stored more than once: "b1" ×2 \[seq \d+ in .*; seq/);
  });

  it("finds a sender's messages out of order", () => {
    const problems = check([row("a2"), row("b1"), row("a1"), row("b2")]);
    expect(problems).toEqual([`A's database: 1 message out of order: "a1" shown after "a2"`]);
  });

  it("finds messages nobody sent, and messages filed under the wrong sender", () => {
    const problems = check([row("a1"), row("b1"), row("a2"), row("b2", A, "out"), row("x")]);
    expect(problems).toEqual([
      expect.stringMatching(/1 message stored that nobody sent: "x"/),
      expect.stringMatching(/1 message with the wrong sender or direction: "b2"/),
    ]);
  });

  it("lets a send that was under way when Wren was killed be there once or not at all", () => {
    const maybe = [{ from: "A", sender: A, body: "a3" }];
    const all = [row("a1"), row("b1"), row("a2"), row("b2")];
    expect(check(all, maybe)).toEqual([]);
    expect(check([...all, row("a3")], maybe)).toEqual([]);
    expect(check([...all, row("a3"), row("a3")], maybe)).toEqual([
      expect.stringMatching(/"a3" ×2/),
    ]);
  });
});
