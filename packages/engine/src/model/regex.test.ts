import { describe, expect, it } from "vitest";
import { defaultEngine } from "../expression/index.ts";
import { checkConstraints } from "./typedValues.ts";
import { pathMatcher } from "../storage/workingFiles.ts";
import { fullMatch, RegexError, replaceAll, userRegex } from "./regex.ts";

const render = (template: string) => defaultEngine.render(template, {});

describe("user regular expressions run on RE2", () => {
  it("answers a catastrophic-backtracking pattern at once, with the right result", () => {
    const text = `${"a".repeat(5000)}!`;
    expect(fullMatch("^(a+)+$", text)).toBe(false);
    expect(fullMatch("(a+)+!", text)).toBe(true);
    expect(render("{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | replace({'^(a+)+$': 'x'}, regexp=true) }}")).toBe(
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
    );
    expect(render("{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | split('(a+)+b') | length }}")).toBe("1");
  });

  it("keeps Java's replacement syntax and inline flags", () => {
    expect(replaceAll("aa1bb2", "(\\d)", "-$1-")).toBe("aa-1-bb-2-");
    expect(replaceAll("a1", "(?<digit>\\d)", "<${digit}>")).toBe("a<1>");
    expect(replaceAll("a1", "\\d", "\\$")).toBe("a$");
    expect(replaceAll("ABC abc", "(?i)b", "_")).toBe("A_C a_c");
    expect(() => replaceAll("a1", "\\d", "$2")).toThrow("no group 2");
    expect(render("{{ 'a.b.c' | split('\\.') | join('|') }}")).toBe("a|b|c");
  });

  it("refuses backreferences and lookaround with a clear error", () => {
    for (const pattern of ["(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "a++"]) {
      let error: unknown;
      try {
        userRegex(pattern);
      } catch (e) {
        error = e;
      }
      expect(error, pattern).toBeInstanceOf(RegexError);
      expect((error as RegexError).code, pattern).toBe("REGEX_UNSUPPORTED");
      expect((error as RegexError).message).toContain("does not support (backreferences, lookaround");
    }
    expect(() => userRegex("[a")).toThrow("Invalid regular expression '[a': missing closing ]");
    expect(() => render("{{ 'ab' | replace({'a(?=b)': 'x'}, regexp=true) }}")).toThrow(
      /linear-time regex engine \(RE2\) does not support.*used in the expression/,
    );
  });

  it("checks input validators and regex: file patterns in linear time", () => {
    const attack = `${"a".repeat(5000)}!`;
    expect(() => checkConstraints({ type: "STRING", validator: "(a+)+" }, attack)).toThrow(
      "it must match the pattern `(a+)+`",
    );
    expect(() => checkConstraints({ type: "STRING", validator: "(a+)+!" }, attack)).not.toThrow();
    expect(pathMatcher(["regex:(a+)+\\.txt"])(`${"a".repeat(5000)}.txt!`)).toBe(false);
    expect(pathMatcher(["regex:out/.*\\.csv"])("out/x.csv")).toBe(true);
  });
});
