import type { FormField } from "../../../preload/contract";

// The answers to a server's data form (XEP-0004): what each field starts with, what counts as
// missing, and what goes back to the server.

/** A field's answer while the form is filled in: text, a list (list-multi) or a checkbox. */
export type FieldValue = string | string[] | boolean;

/** Every named field's answer as the server suggested it. */
export function initialValues(fields: readonly FormField[]): Record<string, FieldValue> {
  return Object.fromEntries(
    fields.filter((f) => f.var !== "").map((field) => [field.var, initialValue(field)]),
  );
}

function initialValue(field: FormField): FieldValue {
  switch (field.type) {
    case "boolean":
      return ["1", "true"].includes(field.values[0] ?? "");
    case "list-multi":
      return [...field.values];
    case "text-multi":
    case "jid-multi":
      return field.values.join("\n");
    default:
      return field.values[0] ?? "";
  }
}

/** The fields whose answers go back to the server: every named one but fixed text. */
export function answeredFields(fields: readonly FormField[]): FormField[] {
  return fields.filter((field) => field.var !== "" && field.type !== "fixed");
}

/** The answers that go back to the server, by field name. */
export function answers(
  fields: readonly FormField[],
  values: Readonly<Record<string, FieldValue>>,
): Record<string, string | string[]> {
  return Object.fromEntries(fields.map((field) => [field.var, answer(field, values[field.var])]));
}

/** What goes back to the server: lists for multi-valued fields, "1"/"0" for booleans. */
function answer(field: FormField, value: FieldValue | undefined): string | string[] {
  if (field.type === "boolean") return value === true ? "1" : "0";
  if (Array.isArray(value)) return value;
  if (field.type === "text-multi" || field.type === "jid-multi") {
    const lines = String(value ?? "").split("\n");
    return field.type === "jid-multi" ? lines.map((l) => l.trim()).filter(Boolean) : lines;
  }
  return String(value ?? "");
}

/** A required field the person left empty (a checkbox is never missing: unchecked is an answer). */
export function isMissing(field: FormField, value: FieldValue | undefined): boolean {
  if (!field.required || field.type === "fixed" || field.type === "hidden") return false;
  if (field.type === "boolean") return false;
  const given = answer(field, value);
  return Array.isArray(given) ? given.length === 0 : given.trim() === "";
}
