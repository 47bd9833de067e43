import { describe, expect, it } from "vitest";
import {
  MAX_UNREAD,
  type ChatHistory,
  type MessageRecord,
} from "../../../../main/core/features/chat/message-record";

// What every ChatHistory promises the chat feature, whether it keeps messages in the database
// (main/store) or in memory: run against each by historyContract(name, open).

const ALICE = "alice";
const BOB = "bob@example.org";
const CAROL = "carol@example.org";
const T0 = 1_700_000_000_000;

let counter = 0;

/** An incoming chat message from bob to alice's account; `overrides` sets the rest. */
export function record(overrides: Partial<MessageRecord> = {}): MessageRecord {
  counter += 1;
  return {
    id: `c-${counter}`,
    accountId: ALICE,
    conversation: BOB,
    kind: "chat",
    direction: "in",
    sender: BOB,
    body: `message ${counter}`,
    sentAt: null,
    receivedAt: T0 + counter,
    serverAt: null,
    timestamp: T0 + counter,
    stanzaId: null,
    originId: null,
    archiveId: null,
    archiveBy: null,
    state: "received",
    correctsId: null,
    editedAt: null,
    attachment: null,
    ...overrides,
  };
}

/** One of ours, to bob, in state `state`. */
export function sent(overrides: Partial<MessageRecord> = {}): MessageRecord {
  return record({ direction: "out", sender: "alice@example.org", state: "acked", ...overrides });
}

const ids = (messages: readonly MessageRecord[]) => messages.map((m) => m.id);

async function addAll(history: ChatHistory, messages: readonly MessageRecord[]): Promise<void> {
  await Promise.all(messages.map((m) => history.add(m)));
}

/**
 * Defines the contract's tests for the histories `open` makes (a fresh, empty one per test; it
 * must hold at least 10,000 messages of one conversation).
 */
export function historyContract(name: string, open: () => Promise<ChatHistory>): void {
  const page = (history: ChatHistory, query: Record<string, unknown> = {}) =>
    history.page({ accountId: ALICE, conversation: BOB, limit: 100, ...query });
  const unreadOf = async (history: ChatHistory, conversation = BOB) =>
    (await history.conversations(ALICE, 100)).find((c) => c.conversation === conversation)?.unread;

  describe(`${name}: pages`, () => {
    it("orders a conversation by time, then by storing order, whatever order it came in", async () => {
      const history = await open();
      const late = record({ timestamp: T0 + 3_000 });
      const tieA = record({ timestamp: T0 + 2_000 });
      const early = record({ timestamp: T0 + 1_000 }); // from the archive, after the others
      const tieB = record({ timestamp: T0 + 2_000 });
      for (const m of [late, tieA, early, tieB]) await history.add(m);
      expect(ids(await page(history))).toEqual(ids([early, tieA, tieB, late]));
      expect(ids(await page(history, { limit: 2 }))).toEqual(ids([tieB, late]));
    });

    it("keeps the file a message carries, and none for the others", async () => {
      const history = await open();
      const attachment = {
        url: "https://upload.example.org/a/photo.jpg",
        name: "photo.jpg",
        size: 123_456,
        mediaType: "image/jpeg",
      };
      const file = record({ timestamp: T0, body: attachment.url, attachment });
      const text = record({ timestamp: T0 + 1 });
      await history.add(file);
      await history.add(text);
      expect(await page(history)).toEqual([file, text]);
      expect((await history.conversations(ALICE, 10))[0]!.last).toEqual(text);
    });

    it("pages before, after and around a message, oldest first", async () => {
      const history = await open();
      const all = Array.from({ length: 9 }, (_, i) => record({ timestamp: T0 + i }));
      await addAll(history, all);
      const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = all as [MessageRecord, ...MessageRecord[]];
      expect(ids(await page(history, { before: m4!.id, limit: 3 }))).toEqual(ids([m1!, m2!, m3!]));
      expect(ids(await page(history, { after: m4!.id, limit: 3 }))).toEqual(ids([m5!, m6!, m7!]));
      expect(ids(await page(history, { around: m4!.id, limit: 5 }))).toEqual(
        ids([m2!, m3!, m4!, m5!, m6!]),
      );
      // Near the ends, what there is on that side.
      expect(ids(await page(history, { around: m0.id, limit: 5 }))).toEqual(ids([m0, m1!, m2!]));
      expect(ids(await page(history, { around: m8!.id, limit: 4 }))).toEqual(ids([m7!, m8!]));
      expect(ids(await page(history, { around: m4!.id, limit: 1 }))).toEqual([m4!.id]);
      expect(await page(history, { after: m8!.id })).toEqual([]);
      expect(await page(history, { before: m0.id })).toEqual([]);
    });

    it("walks forward with after through messages sharing a timestamp without skipping one", async () => {
      const history = await open();
      const all = Array.from({ length: 12 }, (_, i) =>
        record({ timestamp: T0 + Math.floor(i / 5) }),
      );
      await addAll(history, all);
      const walked: MessageRecord[] = [];
      let next = await page(history, { after: all[0]!.id, limit: 4 });
      while (next.length > 0) {
        walked.push(...next);
        next = await page(history, { after: next.at(-1)!.id, limit: 4 });
      }
      expect(ids(walked)).toEqual(ids(all.slice(1)));
    });

    it("gives an empty page for an unknown message, or one of another conversation or account", async () => {
      const history = await open();
      const carols = record({ conversation: CAROL });
      const work = record({ accountId: "alice-work" });
      await addAll(history, [record(), carols, work]);
      for (const id of ["no-such-id", carols.id, work.id]) {
        for (const cursor of ["before", "after", "around"]) {
          expect(await page(history, { [cursor]: id })).toEqual([]);
        }
      }
      expect(await page(history, { limit: 0 })).toEqual([]);
    });
  });

  describe(`${name}: storing unless a duplicate`, () => {
    it("stores a message once, also when its copies arrive together", async () => {
      const history = await open();
      const original = record({ originId: "O1" });
      const probe = {
        accountId: ALICE,
        conversation: BOB,
        direction: "in" as const,
        sender: BOB,
        body: original.body,
        originId: "O1",
        timestamp: original.timestamp,
        windowMs: 60_000,
      };
      const copies = [original, record({ ...original, id: "copy-1" }), record({ id: "copy-2" })];
      const results = await Promise.all(
        copies.map((copy) =>
          history.addUnlessDuplicate!(copy, { ...probe, body: copy.body, originId: copy.originId }),
        ),
      );
      expect(results).toEqual([null, original, null]);
      expect(ids(await page(history))).toEqual([original.id, "copy-2"]);
      expect(await history.findDuplicate(probe)).toEqual(original);
    });
  });

  describe(`${name}: update`, () => {
    it("changes the fields given, keeps the others, and resolves with the message as it now is", async () => {
      const history = await open();
      const mine = sent({ state: "sent" });
      await history.add(mine);
      const acked = await history.update(mine.id, { state: "acked", archiveId: "A1" });
      expect(acked).toEqual({ ...mine, state: "acked", archiveId: "A1" });
      const edited = await history.update(mine.id, {
        body: "corrected",
        editedAt: T0 + 99,
        archiveBy: "alice@example.org",
        serverAt: T0 + 5,
        state: undefined,
      });
      const expected = {
        ...mine,
        state: "acked",
        archiveId: "A1",
        archiveBy: "alice@example.org",
        serverAt: T0 + 5,
        body: "corrected",
        editedAt: T0 + 99,
      };
      expect(edited).toEqual(expected);
      expect(await page(history)).toEqual([expected]);
      expect(await history.update("no-such-id", { state: "displayed" })).toBeNull();
    });

    it("never moves a state back, and never changes an incoming message's", async () => {
      const history = await open();
      const mine = sent({ state: "queued" });
      const theirs = record();
      await addAll(history, [mine, theirs]);
      expect((await history.update(mine.id, { state: "delivered" }))!.state).toBe("delivered");
      // The server's acknowledgement, late: the receipt already said more.
      expect((await history.update(mine.id, { state: "acked", archiveId: "A2" }))!).toMatchObject({
        state: "delivered",
        archiveId: "A2",
      });
      expect((await history.update(mine.id, { state: "displayed" }))!.state).toBe("displayed");
      expect((await history.update(mine.id, { state: "queued" }))!.state).toBe("displayed");
      expect((await history.update(theirs.id, { state: "displayed" }))!.state).toBe("received");
    });
  });

  describe(`${name}: references`, () => {
    it("finds the newest message of the conversation and direction by origin-id or stanza id", async () => {
      const history = await open();
      const byOrigin = sent({ originId: "R1", stanzaId: "S1" });
      const byStanza = sent({ stanzaId: "R2" });
      const older = sent({ originId: "R3", timestamp: T0 - 10 });
      const newer = sent({ originId: "R3", timestamp: T0 + 1e6 });
      await addAll(history, [byOrigin, byStanza, newer, older]);
      const find = (ref: string, more: Record<string, string> = {}) =>
        history.findByReference({
          accountId: ALICE,
          conversation: BOB,
          direction: "out",
          ref,
          ...more,
        });
      expect((await find("R1"))?.id).toBe(byOrigin.id);
      expect((await find("S1"))?.id).toBe(byOrigin.id);
      expect((await find("R2"))?.id).toBe(byStanza.id);
      expect((await find("R3"))?.id).toBe(newer.id);
      expect(await find("R1", { direction: "in" })).toBeNull();
      expect(await find("R1", { conversation: CAROL })).toBeNull();
      expect(await find("R1", { accountId: "alice-work" })).toBeNull();
      expect(await find("nothing")).toBeNull();
    });
  });

  describe(`${name}: unacknowledged`, () => {
    it("lists the account's outgoing messages in state queued or sent, oldest first", async () => {
      const history = await open();
      const queued = sent({ state: "queued", timestamp: T0 + 30 });
      const sentOne = sent({ state: "sent", conversation: CAROL, timestamp: T0 + 10 });
      const later = sent({ state: "queued", timestamp: T0 + 20 });
      await addAll(history, [
        queued,
        sentOne,
        later,
        sent({ state: "acked" }),
        record(),
        sent({ state: "queued", accountId: "alice-work" }),
      ]);
      expect(ids(await history.unacknowledged(ALICE))).toEqual(ids([sentOne, later, queued]));
      await history.update(later.id, { state: "acked" });
      await history.update(queued.id, { state: "sent" });
      expect(await history.unacknowledged(ALICE)).toEqual([sentOne, { ...queued, state: "sent" }]);
    });
  });

  describe(`${name}: conversations and unread counts`, () => {
    it("lists conversations by their last message, newest first, with it and the unread count", async () => {
      const history = await open();
      const bobsLast = record({ timestamp: T0 + 50 });
      const carolsLast = sent({ conversation: CAROL, timestamp: T0 + 60 });
      await addAll(history, [
        record({ timestamp: T0 + 10 }),
        bobsLast,
        record({ conversation: CAROL, sender: CAROL, timestamp: T0 + 20 }),
        carolsLast,
        record({ accountId: "alice-work", timestamp: T0 + 99 }),
      ]);
      // Older messages from the archive change neither the order nor the last message.
      await history.add(record({ timestamp: T0 - 1_000 }));
      expect(await history.conversations(ALICE, 10)).toEqual([
        { conversation: CAROL, last: carolsLast, unread: 1 },
        { conversation: BOB, last: bobsLast, unread: 3 },
      ]);
      expect((await history.conversations(ALICE, 1)).map((c) => c.conversation)).toEqual([CAROL]);
      expect(await history.conversations("nobody", 10)).toEqual([]);
      const edited = await history.update(bobsLast.id, { body: "edited", editedAt: T0 + 70 });
      expect((await history.conversations(ALICE, 10))[1]!.last).toEqual(edited);
    });

    it("counts incoming messages after the read mark, and moves the mark only forward", async () => {
      const history = await open();
      const [a, b, c] = [record(), record(), record()];
      await addAll(history, [a, sent(), b, c, sent()]);
      expect(await unreadOf(history)).toBe(3);
      await history.markRead(ALICE, BOB, b.id);
      expect(await unreadOf(history)).toBe(1);
      await history.markRead(ALICE, BOB, a.id); // back: no change
      expect(await unreadOf(history)).toBe(1);
      await history.add(record());
      await history.add(sent());
      expect(await unreadOf(history)).toBe(2);
      await history.add(record({ timestamp: T0 - 5 })); // older than the mark: read
      expect(await unreadOf(history)).toBe(2);
      await history.markRead(ALICE, BOB, c.id);
      expect(await unreadOf(history)).toBe(1);
    });

    it("ignores a read mark at a message of another conversation or account, or none", async () => {
      const history = await open();
      const carols = record({ conversation: CAROL });
      const work = record({ accountId: "alice-work" });
      await addAll(history, [record(), record(), carols, work]);
      for (const upTo of [carols.id, work.id, "no-such-id"]) {
        await history.markRead(ALICE, BOB, upTo);
      }
      expect(await unreadOf(history)).toBe(2);
      expect(await unreadOf(history, CAROL)).toBe(1);
      await history.markRead(ALICE, CAROL, carols.id);
      expect(await unreadOf(history, CAROL)).toBe(0);
      expect(await unreadOf(history)).toBe(2);
    });

    it(`stops counting at ${MAX_UNREAD}`, async () => {
      const history = await open();
      const first = record();
      const many = Array.from({ length: MAX_UNREAD + 5 }, () => record());
      await addAll(history, [first, ...many]);
      expect(await unreadOf(history)).toBe(MAX_UNREAD);
      await history.markRead(ALICE, BOB, first.id);
      expect(await unreadOf(history)).toBe(MAX_UNREAD);
      await history.markRead(ALICE, BOB, many[9]!.id);
      expect(await unreadOf(history)).toBe(MAX_UNREAD - 5);
    });
  });

  describe(`${name}: sync state and archive completeness`, () => {
    it("keeps each account's archive sync state, null before the first", async () => {
      const history = await open();
      expect(await history.syncState(ALICE)).toBeNull();
      await history.saveSyncState(ALICE, { archiveId: "X1", archiveAt: T0 });
      await history.saveSyncState("alice-work", { archiveId: null, archiveAt: null });
      await history.saveSyncState(ALICE, { archiveId: "X2", archiveAt: T0 + 1 });
      expect(await history.syncState(ALICE)).toEqual({ archiveId: "X2", archiveAt: T0 + 1 });
      expect(await history.syncState("alice-work")).toEqual({ archiveId: null, archiveAt: null });
    });

    it("remembers which conversations' archives were read to the start, also empty ones", async () => {
      const history = await open();
      await history.add(record());
      expect(await history.archiveComplete(ALICE, BOB)).toBe(false);
      await history.setArchiveComplete(ALICE, BOB);
      await history.setArchiveComplete(ALICE, CAROL); // nothing in it
      expect(await history.archiveComplete(ALICE, BOB)).toBe(true);
      expect(await history.archiveComplete(ALICE, CAROL)).toBe(true);
      expect(await history.archiveComplete("alice-work", BOB)).toBe(false);
      // A conversation with no message is not listed.
      expect((await history.conversations(ALICE, 10)).map((c) => c.conversation)).toEqual([BOB]);
    });
  });

  describe(`${name}: deleting a conversation`, () => {
    it("deletes its messages, read mark and archive completeness, and nothing else", async () => {
      const history = await open();
      const read = record();
      const carols = record({ conversation: CAROL });
      await addAll(history, [read, record(), carols]);
      await history.markRead(ALICE, BOB, read.id);
      await history.setArchiveComplete(ALICE, BOB);
      await history.setArchiveComplete(ALICE, CAROL);

      expect(await history.deleteConversation(ALICE, BOB)).toBe(2);
      expect(await history.deleteConversation(ALICE, BOB)).toBe(0);
      expect(await page(history)).toEqual([]);
      expect(await history.archiveComplete(ALICE, BOB)).toBe(false);
      expect(await history.archiveComplete(ALICE, CAROL)).toBe(true);
      expect((await history.conversations(ALICE, 10)).map((c) => c.conversation)).toEqual([CAROL]);
      // Without the old mark, what comes next is unread.
      await history.add(record({ timestamp: T0 - 100 }));
      expect(await unreadOf(history)).toBe(1);
    });
  });
}
