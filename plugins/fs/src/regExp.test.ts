/**
 * The `regExp` filter of the listing tasks: Java's `matches` (the whole path), on RE2, so that
 * no pattern can stall the process however long the names, and clear errors for bad patterns.
 */
import { describe, expect, it } from "vitest";
import { fullMatch } from "./operations.ts";

describe("regExp", () => {
  it("matches the whole path, `.` across line breaks too", () => {
    const csv = fullMatch(".*\\.csv")!;
    expect(csv("/in/a.csv")).toBe(true);
    expect(csv("/in/a.csv.bak")).toBe(false);
    expect(fullMatch("a.b")!("a\nb")).toBe(true);
    expect(fullMatch(undefined)).toBeUndefined();
  });

  it("answers a catastrophic-backtracking pattern on a long name at once", () => {
    // On a backtracking engine, (a+)+b against 40 a's and no b takes about 2^40 steps.
    const name = "a".repeat(40);
    expect(fullMatch("(a+)+b")!(name)).toBe(false);
    expect(fullMatch("(a+)+")!(name)).toBe(true);
  });

  it("refuses a bad pattern, and one RE2 does not support, naming the property and the pattern", () => {
    expect(() => fullMatch("(unclosed")).toThrow("Invalid regExp '(unclosed': missing closing ): `(unclosed`");
    expect(() => fullMatch("x(?=y)")).toThrow(
      "Invalid regExp 'x(?=y)': uses syntax the linear-time regex engine (RE2) does not support (backreferences, lookaround, possessive or atomic groups)",
    );
  });
});
