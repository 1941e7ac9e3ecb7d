/**
 * The SDK's user regular expressions (the engine's Pebble filters are tested in the engine's
 * model/regex.test.ts): linear time, flags, and clear errors.
 */
import { describe, expect, it } from "vitest";
import { fullMatch, RegexError, userRegex } from "./regex.ts";

describe("userRegex", () => {
  it("matches a catastrophic-backtracking pattern in linear time", () => {
    expect(userRegex("(a+)+b").matches(`${"a".repeat(100_000)}!`)).toBe(false);
    expect(fullMatch("(a|aa)*c", `${"a".repeat(50_000)}c`)).toBe(true);
  });

  it("compiles with options, each pattern and options once", () => {
    expect(userRegex("a.b").matches("a\nb")).toBe(false);
    expect(userRegex("a.b", { dotAll: true }).matches("a\nb")).toBe(true);
    expect(userRegex("a.b", { dotAll: true })).toBe(userRegex("a.b", { dotAll: true }));
    expect(userRegex("a.b")).not.toBe(userRegex("a.b", { dotAll: true }));
    expect(userRegex("ab", { caseInsensitive: true }).matches("AB")).toBe(true);
  });

  it("reads Java's \\uXXXX and \\cX escapes, and keeps an escaped backslash before a u", () => {
    expect(fullMatch("caf\\u00e9", "café")).toBe(true);
    expect(fullMatch("[\\u0041-\\u0043]+", "ABC")).toBe(true);
    expect(fullMatch("a\\cIb", "a\tb")).toBe(true);
    expect(fullMatch("\\\\u0041", "\\u0041")).toBe(true);
    expect(fullMatch("\\\\u0041", "A")).toBe(false);
    expect(fullMatch("\\Q\\u0041\\E", "\\u0041")).toBe(true);
  });

  it("refuses a bad pattern, and one RE2 does not support, naming it", () => {
    expect(() => userRegex("a(b")).toThrow(RegexError);
    expect(() => userRegex("a(b")).toThrow("Invalid regular expression 'a(b': missing closing ): `a(b`");
    expect(() => userRegex("a(b", { dotAll: true })).toThrow(
      "Invalid regular expression 'a(b': missing closing ): `a(b`",
    );
    expect(() => userRegex("x(?=y)")).toThrow(
      expect.objectContaining({
        code: "REGEX_UNSUPPORTED",
        message: expect.stringContaining(
          "The regular expression 'x(?=y)' uses syntax the linear-time regex engine (RE2)",
        ) as unknown,
      }),
    );
  });
});
