import { xml, type Element } from "@xmpp/client";
import type { Outbox } from "../../../../main/core/outbox";

/** One message as a scripted archive holds it. */
export interface ArchivedEntry {
  id: string;
  from: string;
  to: string;
  body: string;
  /** ms since the epoch. */
  at: number;
}

const NS_MAM = "urn:xmpp:mam:2";
const NS_RSM = "http://jabber.org/protocol/rsm";

/**
 * A message archive (XEP-0313) that answers queries the way Prosody does: results as messages
 * handed to `deliver` before the IQ result, RSM paging by archive id in both directions, time
 * filters, `with`, and item-not-found for an id it does not hold. `queries` records every query.
 */
export function scriptedArchive(
  entries: ArchivedEntry[],
  deliver: (stanza: Element) => void,
  options: { from?: string; maxPage?: number } = {},
) {
  const queries: { after?: string; before?: string; start?: string; with?: string; max: number }[] =
    [];
  const outbox: Outbox = {
    async send() {},
    async request(iq) {
      const query = iq.getChild("query", NS_MAM)!;
      const set = query.getChild("set", NS_RSM)!;
      const field = (name: string) =>
        query
          .getChild("x", "jabber:x:data")
          ?.getChildren("field")
          .find((f) => f.attrs.var === name)
          ?.getChildText("value") ?? undefined;
      const max = Math.min(Number(set.getChildText("max")), options.maxPage ?? 100);
      const after = set.getChildText("after") ?? undefined;
      const beforeElement = set.getChild("before");
      const before = beforeElement ? beforeElement.getText() : undefined;
      const recorded = { after, before, start: field("start"), with: field("with"), max };
      queries.push(recorded);
      let pool = entries.filter(
        (e) =>
          (!recorded.with || e.from === recorded.with || e.to === recorded.with) &&
          (!recorded.start || e.at >= Date.parse(recorded.start)) &&
          (!field("end") || e.at <= Date.parse(field("end")!)),
      );
      const index = (id: string) => pool.findIndex((e) => e.id === id);
      if ((after && index(after) === -1) || (before && index(before) === -1)) {
        const error = Object.assign(new Error("item-not-found"), {
          name: "StanzaError",
          condition: "item-not-found",
        });
        throw error;
      }
      let page: ArchivedEntry[];
      let complete: boolean;
      if (before !== undefined) {
        const end = before ? index(before) : pool.length;
        page = pool.slice(Math.max(0, end - max), end);
        complete = end - max <= 0;
      } else {
        if (after) pool = pool.slice(index(after) + 1);
        page = pool.slice(0, max);
        complete = pool.length <= max;
      }
      for (const entry of page) deliver(resultOf(entry, String(query.attrs.queryid), options.from));
      return xml(
        "iq",
        { type: "result" },
        xml(
          "fin",
          { xmlns: NS_MAM, ...(complete && { complete: "true" }) },
          xml(
            "set",
            { xmlns: NS_RSM },
            page[0] ? xml("first", {}, page[0].id) : undefined,
            page.at(-1) ? xml("last", {}, page.at(-1)!.id) : undefined,
          ),
        ),
      );
    },
  };
  return { outbox, queries };
}

export function resultOf(entry: ArchivedEntry, queryid: string, from?: string): Element {
  return xml(
    "message",
    from ? { from } : {},
    xml(
      "result",
      { xmlns: NS_MAM, queryid, id: entry.id },
      xml(
        "forwarded",
        { xmlns: "urn:xmpp:forward:0" },
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: new Date(entry.at).toISOString() }),
        xml(
          "message",
          { from: entry.from, to: entry.to, type: "chat", id: `s-${entry.id}` },
          xml("body", {}, entry.body),
        ),
      ),
    ),
  );
}
