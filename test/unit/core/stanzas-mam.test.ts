import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import {
  buildArchiveQuery,
  parseArchiveEnd,
  parseArchiveResult,
} from "../../../main/core/stanzas/mam";
import { parseChatExtensions } from "../../../main/core/stanzas/chat-extensions";

describe("archive query stanzas (XEP-0313)", () => {
  it("asks for a page after a cursor, in a time range, with one peer", () => {
    const query = buildArchiveQuery({
      queryId: "q1",
      with: "bob@example.org",
      start: Date.UTC(2025, 0, 1),
      after: "a-9",
      max: 100,
    });
    expect(query.toString()).toBe(
      '<iq type="set"><query xmlns="urn:xmpp:mam:2" queryid="q1">' +
        '<x xmlns="jabber:x:data" type="submit">' +
        '<field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field>' +
        '<field var="with"><value>bob@example.org</value></field>' +
        '<field var="start"><value>2025-01-01T00:00:00.000Z</value></field></x>' +
        '<set xmlns="http://jabber.org/protocol/rsm"><max>100</max><after>a-9</after></set>' +
        "</query></iq>",
    );
  });

  it("asks for the last page with an empty <before/>", () => {
    const set = buildArchiveQuery({ queryId: "q", before: true, max: 10 })
      .getChild("query")!
      .getChild("set")!;
    expect(set.toString()).toBe(
      '<set xmlns="http://jabber.org/protocol/rsm"><max>10</max><before/></set>',
    );
  });

  it("reads a result with its archive id and time, and refuses malformed ones", () => {
    const result = (attrs: Record<string, string>, inner = true) =>
      xml(
        "message",
        {},
        xml(
          "result",
          { xmlns: "urn:xmpp:mam:2", ...attrs },
          xml(
            "forwarded",
            { xmlns: "urn:xmpp:forward:0" },
            xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2025-01-01T10:00:00Z" }),
            inner ? xml("message", { from: "bob@example.org" }, xml("body", {}, "hi")) : undefined,
          ),
        ),
      );
    const parsed = parseArchiveResult(result({ queryid: "q1", id: "a-1" }));
    expect(parsed).toMatchObject({
      queryId: "q1",
      archiveId: "a-1",
      serverAt: Date.UTC(2025, 0, 1, 10),
    });
    expect(parsed?.message.getChildText("body")).toBe("hi");
    expect(parseArchiveResult(result({ queryid: "q1" }))).toBeNull();
    expect(parseArchiveResult(result({ id: "a-1" }))).toBeNull();
    expect(parseArchiveResult(result({ queryid: "q1", id: "x".repeat(300) }))).toBeNull();
    expect(parseArchiveResult(result({ queryid: "q1", id: "a-1" }, false))).toBeNull();
  });

  it("reads the end of a page: complete or not, and its first and last ids", () => {
    const fin = (complete: boolean) =>
      xml(
        "iq",
        { type: "result" },
        xml(
          "fin",
          { xmlns: "urn:xmpp:mam:2", ...(complete && { complete: "true" }) },
          xml(
            "set",
            { xmlns: "http://jabber.org/protocol/rsm" },
            xml("first", {}, "a-1"),
            xml("last", {}, "a-9"),
          ),
        ),
      );
    expect(parseArchiveEnd(fin(true))).toEqual({ complete: true, first: "a-1", last: "a-9" });
    expect(parseArchiveEnd(fin(false))?.complete).toBe(false);
    expect(parseArchiveEnd(xml("iq", { type: "result" }))).toBeNull();
  });
});

describe("what travels with a chat message", () => {
  it("reads receipts, markers, chat states and corrections, ignoring over-long ids", () => {
    const parsed = parseChatExtensions(
      xml(
        "message",
        {},
        xml("request", { xmlns: "urn:xmpp:receipts" }),
        xml("received", { xmlns: "urn:xmpp:receipts", id: "r1" }),
        xml("markable", { xmlns: "urn:xmpp:chat-markers:0" }),
        xml("displayed", { xmlns: "urn:xmpp:chat-markers:0", id: "x".repeat(200) }),
        xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "m1" }),
      ),
    );
    expect(parsed).toEqual({
      wantsReceipt: true,
      receivedId: "r1",
      markable: true,
      displayedId: null,
      chatState: "composing",
      replaceId: "m1",
    });
    expect(
      parseChatExtensions(
        xml("message", {}, xml("dancing", { xmlns: "http://jabber.org/protocol/chatstates" })),
      ).chatState,
    ).toBeNull();
  });
});
