import type { Element } from "@xmpp/client";
import { parseJid } from "../../jid";
import { NS_DATA_FORMS } from "../../stanzas/data-form";

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
export const NS_CAPS = "http://jabber.org/protocol/caps";

// Disco answers come from anyone who can send us an IQ result, so everything kept is bounded:
// what lies beyond a limit is ignored, and an answer cut that way is never cached by its hash.
export const DISCO_LIMITS = {
  identities: 100,
  features: 1000,
  forms: 100,
  fields: 200,
  values: 100,
  items: 1000,
  /** Longest string kept: a category, a feature, a name, a value, a JID. */
  text: 1024,
  /** Longest caps 'ver' (a SHA-512 in Base64 is 88 characters). */
  ver: 256,
} as const;

export interface DiscoIdentity {
  readonly category: string;
  readonly type: string;
  /** "" when the identity has no name. */
  readonly name: string;
  /** The identity's own xml:lang, "" when it has none. */
  readonly lang: string;
}

export interface ExtensionField {
  readonly var: string;
  readonly values: readonly string[];
}

/** An XEP-0128 extension form, known by its FORM_TYPE (which is not among `fields`). */
export interface ExtensionForm {
  readonly formType: string;
  readonly fields: readonly ExtensionField[];
}

/** What an entity said about itself in a disco#info result, as plain data. */
export interface DiscoInfo {
  readonly identities: readonly DiscoIdentity[];
  readonly features: readonly string[];
  readonly forms: readonly ExtensionForm[];
}

export interface ParsedDiscoInfo {
  info: DiscoInfo;
  /**
   * False when part of the answer was cut (over a limit) or unreadable (an identity without
   * category or type, a FORM_TYPE with two values): its caps hash cannot be checked then.
   */
  verifiable: boolean;
}

export interface DiscoItem {
  readonly jid: string;
  /** "" when the item has no node. */
  readonly node: string;
  readonly name: string;
}

/** A contact's XEP-0115 <c/>. */
export interface Caps {
  /** The hash function's IANA name, lower-cased ("sha-1"). */
  readonly hash: string;
  readonly node: string;
  readonly ver: string;
}

/** Parses the <query xmlns="…disco#info"/> of a result. */
export function parseDiscoInfo(query: Element): ParsedDiscoInfo {
  const limits = new Limiter();
  const identities = limits
    .list(query.getChildren("identity", NS_DISCO_INFO), DISCO_LIMITS.identities)
    .flatMap((element) => parseIdentity(element, limits) ?? []);
  const features = limits
    .list(query.getChildren("feature", NS_DISCO_INFO), DISCO_LIMITS.features)
    .flatMap((element) => (element.attrs.var ? [limits.text(element.attrs.var)] : []));
  const forms = limits
    .list(query.getChildren("x", NS_DATA_FORMS), DISCO_LIMITS.forms)
    .flatMap((x) => parseExtensionForm(x, limits) ?? []);
  return { info: { identities, features, forms }, verifiable: !limits.unverifiable };
}

/** An identity; null (and the answer unverifiable) without the category and type it must have. */
function parseIdentity(element: Element, limits: Limiter): DiscoIdentity | null {
  const { category, type, name } = element.attrs;
  if (!category || !type) {
    limits.unverifiable = true;
    return null;
  }
  return {
    category: limits.text(category),
    type: limits.text(type),
    name: limits.text(name ?? ""),
    lang: limits.text(element.attrs["xml:lang"] ?? ""),
  };
}

/**
 * An XEP-0128 form. XEP-0115 §5.4: a form without a hidden FORM_TYPE is ignored (null); one whose
 * FORM_TYPE is ambiguous makes the whole answer unverifiable.
 */
function parseExtensionForm(x: Element, limits: Limiter): ExtensionForm | null {
  const fields = limits
    .list(x.getChildren("field", NS_DATA_FORMS), DISCO_LIMITS.fields)
    .map((field) => ({
      var: field.attrs.var as string | undefined,
      type: field.attrs.type as string | undefined,
      values: limits
        .list(field.getChildren("value", NS_DATA_FORMS), DISCO_LIMITS.values)
        .map((value) => limits.text(value.text())),
    }));
  const formTypes = fields.filter((field) => field.var === "FORM_TYPE");
  const formType = formTypes[0];
  if (formTypes.length > 1 || new Set(formType?.values).size > 1) {
    limits.unverifiable = true;
    return null;
  }
  const value = formType?.values[0];
  if (formType?.type !== "hidden" || value === undefined) return null;
  return {
    formType: value,
    fields: fields.flatMap((field) =>
      field.var && field.var !== "FORM_TYPE"
        ? [{ var: limits.text(field.var), values: field.values }]
        : [],
    ),
  };
}

/** Cuts lists and strings to their limits, and remembers when it had to. */
class Limiter {
  unverifiable = false;

  text(value: string): string {
    if (value.length <= DISCO_LIMITS.text) return value;
    this.unverifiable = true;
    return value.slice(0, DISCO_LIMITS.text);
  }

  list<T>(items: T[], limit: number): T[] {
    if (items.length <= limit) return items;
    this.unverifiable = true;
    return items.slice(0, limit);
  }
}

/** Parses the <query xmlns="…disco#items"/> of a result; items without a valid JID are skipped. */
export function parseDiscoItems(query: Element): DiscoItem[] {
  const items: DiscoItem[] = [];
  for (const element of query.getChildren("item", NS_DISCO_ITEMS)) {
    if (items.length >= DISCO_LIMITS.items) break;
    const { jid, node, name } = element.attrs;
    if (!jid || jid.length > DISCO_LIMITS.text || !parseJid(jid)) continue;
    items.push({
      jid,
      node: (node ?? "").slice(0, DISCO_LIMITS.text),
      name: (name ?? "").slice(0, DISCO_LIMITS.text),
    });
  }
  return items;
}

/**
 * The XEP-0115 <c/> of a presence, or null when there is none or it is the legacy format (no
 * 'hash'), which Wren treats as no caps at all.
 */
export function parseCaps(presence: Element): Caps | null {
  const c = presence.getChild("c", NS_CAPS);
  const { hash, node, ver } = c?.attrs ?? {};
  if (!hash || !node || !ver) return null;
  if (hash.length > 32 || node.length > DISCO_LIMITS.text || ver.length > DISCO_LIMITS.ver) {
    return null;
  }
  return { hash: hash.toLowerCase(), node, ver };
}

/** The <query/> of a disco#info or disco#items result, or null when it has none. */
export function resultQuery(result: Element, ns: string): Element | null {
  return result.getChild("query", ns) ?? null;
}
