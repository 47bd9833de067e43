import { describe, expect, it } from "vitest";
import { preparePassword, saslname, saslprep } from "../../../../main/core/sasl/saslprep";

describe("SASLprep", () => {
  it("handles the RFC 4013 §3 examples Wren implements", () => {
    expect(saslprep("I\u00ADX")).toBe("IX"); // soft hyphen mapped to nothing
    expect(saslprep("user")).toBe("user");
    expect(saslprep("USER")).toBe("USER"); // no case folding
    expect(saslprep("\u00AA")).toBe("a"); // NFKC
    expect(saslprep("\u2168")).toBe("IX"); // NFKC
    expect(saslprep("\u0007")).toBeNull(); // prohibited control
  });

  it("maps non-ASCII spaces to a space and zero-width characters to nothing", () => {
    expect(saslprep("a\u00A0b\u3000c")).toBe("a b c");
    expect(saslprep("a\u200Bb\uFEFFc")).toBe("abc");
  });

  it("prohibits private use, non-characters, unpaired surrogates and tags", () => {
    for (const value of ["\uE000", "\uFFFF", "\u{10FFFE}", "a\uD800b", "\u{E0041}", "\u202E"]) {
      expect(saslprep(value)).toBeNull();
    }
  });

  it("keeps paired surrogates (emoji) and unassigned code points", () => {
    expect(saslprep("pass😀")).toBe("pass😀");
    expect(saslprep("\u0378")).toBe("\u0378"); // unassigned: allowed in query strings
  });

  it("hashes a prohibited password as typed rather than refusing it", () => {
    expect(preparePassword("tab\there")).toBe("tab\there");
    expect(preparePassword("\u2168")).toBe("IX");
  });

  it("escapes '=' and ',' in a saslname", () => {
    expect(saslname("a=b,c")).toBe("a=3Db=2Cc");
  });
});
