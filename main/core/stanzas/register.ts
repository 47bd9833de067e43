import { xml, type Element } from "@xmpp/client";
import type { RegistrationForm } from "../../../preload/contract";
import {
  buildSubmitForm,
  FORM_LIMITS,
  FormParseError,
  NS_DATA_FORMS,
  parseDataForm,
  plainText,
  type FormField,
  type FormValues,
} from "./data-form";

// XEP-0077 in-band registration: the form a server asks for, as plain data, and the answer to it.

export const NS_REGISTER = "jabber:iq:register";
export const NS_REGISTER_FEATURE = "http://jabber.org/features/iq-register";
const NS_OOB = "jabber:x:oob";

export type { RegistrationForm } from "../../../preload/contract";

/** The fields XEP-0077 §14.1 defines, in the order a form shows them, with their labels. */
const LEGACY_FIELDS: Record<string, string> = {
  username: "Username",
  password: "Password",
  email: "Email",
  nick: "Nickname",
  name: "Full name",
  first: "Given name",
  last: "Family name",
  address: "Street",
  city: "City",
  state: "State or region",
  zip: "Postal code",
  phone: "Telephone",
  url: "Web page",
  date: "Date",
  misc: "Miscellaneous",
  text: "Text",
  key: "Key",
};

export function buildRegisterGet(): Element {
  return xml("iq", { type: "get" }, xml("query", { xmlns: NS_REGISTER }));
}

/**
 * The registration form in a result to buildRegisterGet(). Throws FormParseError (data-form.ts)
 * when there is no <query/> or the form is too big to show.
 */
export function parseRegisterResult(iq: Element): RegistrationForm {
  const query = iq.getChild("query", NS_REGISTER);
  if (!query) throw new FormParseError("the answer has no registration query");

  const instructions = plainText(
    query.getChildText("instructions") ?? "",
    FORM_LIMITS.instructions,
    {
      multiline: true,
    },
  );
  const url = webAddress(query.getChild("x", NS_OOB)?.getChildText("url") ?? "");

  const x = query.getChild("x", NS_DATA_FORMS);
  if (x) {
    const form = parseDataForm(x);
    return {
      kind: "data-form",
      title: form.title,
      instructions: form.instructions || instructions,
      fields: form.fields,
      url,
    };
  }

  const fields: FormField[] = [];
  for (const [name, label] of Object.entries(LEGACY_FIELDS)) {
    const element = query.getChild(name);
    if (!element) continue;
    const value = plainText(element.text(), FORM_LIMITS.value);
    fields.push({
      var: name,
      // The <key/> is a server token to send back untouched (XEP-0077 §14.1).
      type: name === "password" ? "text-private" : name === "key" ? "hidden" : "text-single",
      label,
      description: "",
      required: true,
      options: [],
      values: value ? [value] : [],
    });
  }
  return { kind: "legacy", title: "", instructions, fields, url };
}

/** The <iq type="set"/> that answers `form`. Validate `values` against form.fields first. */
export function buildRegisterSubmit(form: RegistrationForm, values: FormValues): Element {
  const query =
    form.kind === "data-form"
      ? xml("query", { xmlns: NS_REGISTER }, buildSubmitForm(form.fields, values))
      : xml(
          "query",
          { xmlns: NS_REGISTER },
          form.fields.map((field) => {
            const given = field.type === "hidden" ? field.values[0] : first(values[field.var]);
            return xml(field.var, {}, given ?? "");
          }),
        );
  return xml("iq", { type: "set" }, query);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function webAddress(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed || trimmed.length > 2048) return null;
  try {
    const url = new URL(trimmed);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null; // not a web address: the form is shown without the link
  }
}
