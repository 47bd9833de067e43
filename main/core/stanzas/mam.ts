import { xml, type Element } from "@xmpp/client";
import { parseDelay } from "./message";
import { NS_DATA, NS_FORWARD, NS_MAM, NS_RSM } from "./namespaces";

// Message Archive Management (XEP-0313) with result set paging (XEP-0059): the query Wren sends,
// and the results and final answer it reads, as plain data.

export interface ArchiveQuery {
  /** Ties the results to this query: results with another query id are not ours. */
  queryId: string;
  /** Only the conversation with this bare JID. */
  with?: string;
  /** Only messages archived at or after / at or before these times (ms since the epoch). */
  start?: number;
  end?: number;
  /** The page after this archive id (forwards). */
  after?: string;
  /** The page before this archive id; `true` for the last page (backwards from the newest). */
  before?: string | true;
  max: number;
}

/** Ids are the server's choice: longer ones are not ids Wren keeps. */
const MAX_ID_LENGTH = 256;

export function buildArchiveQuery(query: ArchiveQuery): Element {
  const fields: Element[] = [
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS_MAM)),
  ];
  if (query.with) fields.push(field("with", query.with));
  if (query.start !== undefined) fields.push(field("start", new Date(query.start).toISOString()));
  if (query.end !== undefined) fields.push(field("end", new Date(query.end).toISOString()));
  const rsm = xml("set", { xmlns: NS_RSM }, xml("max", {}, String(query.max)));
  if (query.after !== undefined) rsm.append(xml("after", {}, query.after));
  if (query.before !== undefined) {
    rsm.append(xml("before", {}, query.before === true ? undefined : query.before));
  }
  return xml(
    "iq",
    { type: "set" },
    xml(
      "query",
      { xmlns: NS_MAM, queryid: query.queryId },
      xml("x", { xmlns: NS_DATA, type: "submit" }, ...fields),
      rsm,
    ),
  );
}

function field(name: string, value: string): Element {
  return xml("field", { var: name }, xml("value", {}, value));
}

export interface ArchiveResult {
  queryId: string;
  /** The archive's id of the message: the RSM cursor. */
  archiveId: string;
  /** The archived <message/>. */
  message: Element;
  /** When the archive stored it, or null when it did not say. */
  serverAt: number | null;
}

/** Whether the stanza carries an archive result at all (ours or not). */
export function isArchiveResult(stanza: Element): boolean {
  return stanza.is("message") && stanza.getChild("result", NS_MAM) !== undefined;
}

/** The archive result a <message/> carries, or null when it is malformed. */
export function parseArchiveResult(stanza: Element): ArchiveResult | null {
  const result = stanza.getChild("result", NS_MAM);
  const forwarded = result?.getChild("forwarded", NS_FORWARD);
  const message = forwarded?.getChild("message");
  const queryId = result?.attrs.queryid;
  const archiveId = result?.attrs.id;
  if (!result || !forwarded || !message) return null;
  if (!isId(queryId) || !isId(archiveId)) return null;
  return { queryId, archiveId, message, serverAt: parseDelay(forwarded) };
}

export interface ArchivePageEnd {
  /** The archive has nothing more in the direction asked. */
  complete: boolean;
  /** RSM first and last ids of the page, when the server gave them. */
  first: string | null;
  last: string | null;
}

/** The final answer to a query (XEP-0313 <fin/>), from the IQ result. */
export function parseArchiveEnd(iq: Element): ArchivePageEnd | null {
  const fin = iq.getChild("fin", NS_MAM);
  if (!fin) return null;
  const set = fin.getChild("set", NS_RSM);
  const first = set?.getChildText("first") ?? null;
  const last = set?.getChildText("last") ?? null;
  return {
    complete: fin.attrs.complete === "true",
    first: isId(first) ? first : null,
    last: isId(last) ? last : null,
  };
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH;
}
