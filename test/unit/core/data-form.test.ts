import { xml, type Element } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import {
  buildSubmitForm,
  FORM_LIMITS,
  FormParseError,
  NS_DATA_FORMS,
  parseDataForm,
  plainText,
  validateFormValues,
  type FormField,
} from "../../../main/core/stanzas/data-form";

function form(...fields: Element[]): Element {
  return xml("x", { xmlns: NS_DATA_FORMS, type: "form" }, ...fields);
}

function field(attrs: Record<string, string>, ...children: Element[]): Element {
  return xml("field", attrs, ...children);
}

const value = (text: string) => xml("value", {}, text);

describe("parseDataForm", () => {
  it("reads title, instructions and every field kind as plain data", () => {
    const parsed = parseDataForm(
      xml(
        "x",
        { xmlns: NS_DATA_FORMS, type: "form" },
        xml("title", {}, "Sign up"),
        xml("instructions", {}, "First line"),
        xml("instructions", {}, "Second line"),
        field({ var: "FORM_TYPE", type: "hidden" }, value("jabber:iq:register")),
        field({ var: "name", label: "Name" }, xml("required"), xml("desc", {}, "Your name")),
        field(
          { var: "colour", type: "list-multi", label: "Colours" },
          value("red"),
          value("blue"),
          xml("option", { label: "Red" }, value("red")),
          xml("option", {}, value("blue")),
          xml("option", { label: "Dup" }, value("blue")),
        ),
        field({ var: "agree", type: "boolean" }, value("0")),
        field({ var: "single", type: "text-single" }, value("a"), value("b")),
        field({ var: "odd", type: "no-such-type" }),
      ),
    );
    expect(parsed.type).toBe("form");
    expect(parsed.title).toBe("Sign up");
    expect(parsed.instructions).toBe("First line\nSecond line");
    expect(parsed.fields).toEqual([
      {
        var: "FORM_TYPE",
        type: "hidden",
        label: "",
        description: "",
        required: false,
        options: [],
        values: ["jabber:iq:register"],
      },
      {
        var: "name",
        type: "text-single",
        label: "Name",
        description: "Your name",
        required: true,
        options: [],
        values: [],
      },
      {
        var: "colour",
        type: "list-multi",
        label: "Colours",
        description: "",
        required: false,
        options: [
          { label: "Red", value: "red" },
          { label: "blue", value: "blue" },
        ],
        values: ["red", "blue"],
      },
      expect.objectContaining({ var: "agree", type: "boolean", values: ["0"] }),
      // A single-value field keeps only its first value.
      expect.objectContaining({ var: "single", values: ["a"] }),
      expect.objectContaining({ var: "odd", type: "text-single" }),
    ]);
  });

  it("drops fields without a name (except fixed ones) and repeated names", () => {
    const parsed = parseDataForm(
      form(
        field({ type: "text-single" }),
        field({ type: "fixed" }, value("Just text")),
        field({ var: "a", label: "First" }),
        field({ var: "a", label: "Second" }),
      ),
    );
    expect(parsed.fields.map((f) => [f.var, f.type, f.label])).toEqual([
      ["", "fixed", ""],
      ["a", "text-single", "First"],
    ]);
  });

  it("bounds hostile forms: too many fields, options or values are refused", () => {
    const many = Array.from({ length: FORM_LIMITS.fields + 1 }, (_, i) => field({ var: `f${i}` }));
    expect(() => parseDataForm(form(...many))).toThrow(FormParseError);

    const options = Array.from({ length: FORM_LIMITS.options + 1 }, (_, i) =>
      xml("option", {}, value(String(i))),
    );
    expect(() => parseDataForm(form(field({ var: "l", type: "list-single" }, ...options)))).toThrow(
      /options/,
    );

    const values = Array.from({ length: FORM_LIMITS.values + 1 }, (_, i) => value(String(i)));
    expect(() => parseDataForm(form(field({ var: "m", type: "text-multi" }, ...values)))).toThrow(
      /values/,
    );
  });

  it("cuts huge texts and turns control characters into spaces", () => {
    const parsed = parseDataForm(
      form(
        field(
          { var: "a", label: `x\u0000y${"L".repeat(10_000)}` },
          xml("desc", {}, "D".repeat(10_000)),
          value("V".repeat(100_000)),
        ),
      ),
    );
    const [only] = parsed.fields;
    expect(only?.label.startsWith("x y")).toBe(true);
    expect(only?.label.length).toBe(FORM_LIMITS.label);
    expect(only?.description.length).toBe(FORM_LIMITS.description);
    expect(only?.values[0]?.length).toBe(FORM_LIMITS.value);
  });
});

describe("plainText", () => {
  it("keeps line breaks only when asked", () => {
    expect(plainText(" a\r\nb\tc ", 100)).toBe("a b c");
    expect(plainText("a\r\nb\rc", 100, { multiline: true })).toBe("a\nb\nc");
    expect(plainText("abcdef", 3)).toBe("abc");
  });
});

const FIELDS: FormField[] = [
  f({ var: "FORM_TYPE", type: "hidden", values: ["urn:test"] }),
  f({ var: "", type: "fixed", values: ["Read this"] }),
  f({ var: "username", label: "User", required: true }),
  f({ var: "bio", type: "text-multi" }),
  f({ var: "agree", type: "boolean", required: true }),
  f({
    var: "plan",
    type: "list-single",
    options: [
      { label: "Free", value: "free" },
      { label: "Paid", value: "paid" },
    ],
  }),
];

function f(partial: Partial<FormField> & Pick<FormField, "var">): FormField {
  return {
    type: "text-single",
    label: "",
    description: "",
    required: false,
    options: [],
    values: [],
    ...partial,
  };
}

describe("validateFormValues", () => {
  it("accepts a complete answer", () => {
    expect(
      validateFormValues(FIELDS, {
        username: "zoe",
        bio: "line one\nline two",
        agree: "false",
        plan: "paid",
      }),
    ).toEqual([]);
  });

  it("lists missing required fields, unknown names and bad values", () => {
    expect(validateFormValues(FIELDS, { username: " ", nope: "x", FORM_TYPE: "forged" })).toEqual([
      "The form has no field “nope”.",
      "The form has no field “FORM_TYPE”.",
      "Fill in “User”.",
      "Fill in “agree”.",
    ]);
    expect(validateFormValues(FIELDS, { username: "a\nb", agree: "1" })).toEqual([
      "“User” contains characters that cannot be sent.",
    ]);
    expect(validateFormValues(FIELDS, { username: "a", agree: "maybe", plan: "gold" })).toEqual([
      "“agree” must be yes or no.",
      "“plan” must be one of the choices offered.",
    ]);
    expect(
      validateFormValues(FIELDS, { username: "x".repeat(FORM_LIMITS.value + 1), agree: "1" }),
    ).toEqual([`“User” is too long (at most ${FORM_LIMITS.value} characters).`]);
    expect(validateFormValues(FIELDS, { username: ["a", "b"], agree: "1" })).toEqual([
      "“User” takes one value.",
    ]);
    expect(validateFormValues(FIELDS, { username: "\uD800", agree: "1" })).toEqual([
      "“User” contains characters that cannot be sent.",
    ]);
    expect(validateFormValues(FIELDS, { username: 5 as unknown as string, agree: "1" })).toEqual([
      "“User” must be text.",
      "Fill in “User”.",
    ]);
  });
});

describe("buildSubmitForm", () => {
  it("echoes hidden fields, leaves out fixed ones and sends the values given", () => {
    const x = buildSubmitForm(FIELDS, { username: "zoe", agree: "1", plan: "free" });
    expect(x.toString()).toBe(
      '<x xmlns="jabber:x:data" type="submit">' +
        '<field var="FORM_TYPE" type="hidden"><value>urn:test</value></field>' +
        '<field var="username"><value>zoe</value></field>' +
        '<field var="bio"/>' +
        '<field var="agree"><value>1</value></field>' +
        '<field var="plan"><value>free</value></field>' +
        "</x>",
    );
  });
});
