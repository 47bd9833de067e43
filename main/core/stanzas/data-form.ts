import { xml, type Element } from "@xmpp/client";
import type { FormField, FormFieldType as FieldType } from "../../../preload/contract";

export const NS_DATA_FORMS = "jabber:x:data";

// XEP-0004 data forms as plain data. Forms come from servers we do not control, so everything is
// bounded: a form with absurdly many fields or options is refused rather than half shown, and
// texts are cut to a length a window can show.

// The shapes are the contract's: the UI renders these fields as they are.
export type { FormField, FormFieldType as FieldType } from "../../../preload/contract";
type FieldOption = FormField["options"][number];

export interface DataForm {
  type: "form" | "submit" | "cancel" | "result";
  title: string;
  /** Instructions, paragraphs joined by line breaks. */
  instructions: string;
  fields: FormField[];
}

/** What the person filled in, by field name. */
export type FormValues = Record<string, string | string[]>;

export const FORM_LIMITS = {
  fields: 200,
  options: 500,
  values: 100,
  label: 256,
  description: 1024,
  instructions: 4096,
  title: 256,
  /** Longest value we keep from the server, or accept from the person. */
  value: 4096,
} as const;

const FIELD_TYPES = new Set<FieldType>([
  "boolean",
  "fixed",
  "hidden",
  "jid-multi",
  "jid-single",
  "list-multi",
  "list-single",
  "text-multi",
  "text-private",
  "text-single",
]);
const MULTI_VALUE = new Set<FieldType>(["jid-multi", "list-multi", "text-multi"]);
const FORM_TYPES = new Set<DataForm["type"]>(["form", "submit", "cancel", "result"]);

export class FormParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormParseError";
  }
}

/** Parses an <x xmlns="jabber:x:data"/>. Throws FormParseError when the form is too big to show. */
export function parseDataForm(x: Element): DataForm {
  const type = FORM_TYPES.has(x.attrs.type as DataForm["type"])
    ? (x.attrs.type as DataForm["type"])
    : "form";
  const elements = x.getChildren("field");
  if (elements.length > FORM_LIMITS.fields) {
    throw new FormParseError(`the form has ${elements.length} fields`);
  }
  const fields: FormField[] = [];
  const seen = new Set<string>();
  for (const element of elements) {
    const field = parseField(element);
    if (!field) continue;
    if (field.var) {
      // A name used twice would make the submitted form ambiguous: the first one wins.
      if (seen.has(field.var)) continue;
      seen.add(field.var);
    }
    fields.push(field);
  }
  return {
    type,
    title: plainText(x.getChildText("title") ?? "", FORM_LIMITS.title),
    instructions: plainText(
      x
        .getChildren("instructions")
        .map((element) => element.text())
        .join("\n"),
      FORM_LIMITS.instructions,
      { multiline: true },
    ),
    fields,
  };
}

function parseField(element: Element): FormField | null {
  const declared = element.attrs.type;
  // XEP-0004 §3.3: a field without a type is text-single; an unknown type is shown as one too.
  const type: FieldType =
    declared && FIELD_TYPES.has(declared as FieldType) ? (declared as FieldType) : "text-single";
  const name = element.attrs.var ?? "";
  if (!name && type !== "fixed") return null;
  if (name.length > FORM_LIMITS.label) return null;

  const valueElements = element.getChildren("value");
  const optionElements = element.getChildren("option");
  if (valueElements.length > FORM_LIMITS.values) {
    throw new FormParseError(`the field ${name.slice(0, 64)} has ${valueElements.length} values`);
  }
  if (optionElements.length > FORM_LIMITS.options) {
    throw new FormParseError(`the field ${name.slice(0, 64)} has ${optionElements.length} options`);
  }

  const multiline = type === "text-multi" || type === "fixed";
  let values = valueElements.map((value) => cleanValue(value.text(), multiline));
  if (!MULTI_VALUE.has(type) && type !== "fixed") values = values.slice(0, 1);

  const options: FieldOption[] = [];
  const optionValues = new Set<string>();
  for (const option of optionElements) {
    const value = cleanValue(option.getChildText("value") ?? "", false);
    if (optionValues.has(value)) continue;
    optionValues.add(value);
    options.push({ value, label: plainText(option.attrs.label ?? "", FORM_LIMITS.label) || value });
  }

  return {
    var: name,
    type,
    label: plainText(element.attrs.label ?? "", FORM_LIMITS.label),
    description: plainText(element.getChildText("desc") ?? "", FORM_LIMITS.description, {
      multiline: true,
    }),
    required: element.getChild("required") !== undefined,
    options,
    values,
  };
}

/**
 * The <x type="submit"/> for a form's `fields` with `values` filled in. Hidden fields are sent back as the
 * server gave them (FORM_TYPE among them); fixed fields are not sent. Call validateFormValues first.
 */
export function buildSubmitForm(fields: readonly FormField[], values: FormValues): Element {
  const answers = fields
    .filter((field) => field.var && field.type !== "fixed")
    .map((field) => {
      const given = field.type === "hidden" ? field.values : asList(values[field.var]);
      return xml(
        "field",
        { var: field.var, type: field.type === "hidden" ? "hidden" : undefined },
        given.map((value) => xml("value", {}, value)),
      );
    });
  return xml("x", { xmlns: NS_DATA_FORMS, type: "submit" }, answers);
}

/**
 * Checks what the person filled in against the form, and returns the problems as sentences (empty
 * when there are none). Values must be strings of bounded length without control characters; names
 * must be fields of the form; required fields must be filled in; list values must be options.
 */
export function validateFormValues(fields: readonly FormField[], values: FormValues): string[] {
  const problems: string[] = [];
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    return ["The form values are not a list of fields."];
  }
  if (Object.keys(values).length > FORM_LIMITS.fields) return ["The form has fewer fields."];
  const byName = new Map(fields.filter((field) => field.var).map((field) => [field.var, field]));
  for (const [name, value] of Object.entries(values)) {
    const field = byName.get(name);
    if (!field || field.type === "fixed" || field.type === "hidden") {
      problems.push(`The form has no field “${name.slice(0, 64)}”.`);
      continue;
    }
    const list = Array.isArray(value) ? value : [value];
    const what = field.label || field.var;
    if (!list.every((item) => typeof item === "string")) {
      problems.push(`“${what}” must be text.`);
      continue;
    }
    if (list.length > (MULTI_VALUE.has(field.type) ? FORM_LIMITS.values : 1)) {
      problems.push(
        `“${what}” takes ${MULTI_VALUE.has(field.type) ? "fewer values" : "one value"}.`,
      );
      continue;
    }
    const problem = list.map((item) => valueProblem(field, item)).find(Boolean);
    if (problem) problems.push(`“${what}” ${problem}.`);
  }
  for (const field of fields) {
    if (!field.required || !field.var || field.type === "fixed" || field.type === "hidden") {
      continue;
    }
    const given = values[field.var];
    const filled = asList(given).some((item) => typeof item === "string" && item.trim() !== "");
    if (!filled && !(field.type === "boolean" && given !== undefined)) {
      problems.push(`Fill in “${field.label || field.var}”.`);
    }
  }
  return problems;
}

/** What is wrong with `value` for `field`, as the end of a sentence; null when nothing is. */
function valueProblem(field: FormField, value: string): string | null {
  if (value.length > FORM_LIMITS.value) {
    return `is too long (at most ${FORM_LIMITS.value} characters)`;
  }
  if (!isAcceptableText(value, field.type === "text-multi")) {
    return "contains characters that cannot be sent";
  }
  if (field.type === "boolean" && !["0", "1", "true", "false"].includes(value)) {
    return "must be yes or no";
  }
  const isList = field.type === "list-single" || field.type === "list-multi";
  if (isList && field.options.length > 0 && !field.options.some((o) => o.value === value)) {
    return "must be one of the choices offered";
  }
  return null;
}

/**
 * Server-supplied text made safe to show as plain text: control characters become spaces (line
 * breaks are kept when `multiline`), surrounding space is trimmed, and it is cut to `max`.
 */
export function plainText(
  text: string,
  max: number,
  options: { multiline?: boolean } = {},
): string {
  const normalized = text.replace(/\r\n?/g, "\n");
  let result = "";
  for (const char of normalized) {
    if (result.length >= max) break;
    result += isControl(char) && !(options.multiline && char === "\n") ? " " : char;
  }
  return result.trim();
}

function cleanValue(text: string, multiline: boolean): string {
  return plainText(text, FORM_LIMITS.value, { multiline });
}

/** Text that XML can carry and a form field can hold: no control characters, no lone surrogates. */
function isAcceptableText(text: string, multiline: boolean): boolean {
  if (LONE_SURROGATE.test(text)) return false;
  for (const char of text) {
    if (multiline && (char === "\n" || char === "\r" || char === "\t")) continue;
    if (isControl(char) || char === "\uFFFE" || char === "\uFFFF") return false;
  }
  return true;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
