import { describe, expect, it } from "vitest";
import { diffLines, diffStats, sideBySide, splitLines, type DiffOp } from "./lineDiff.ts";

/** Applies the operations to `a`: must give `b`, and keep every line of `a` that is not deleted. */
function apply(a: readonly string[], ops: readonly DiffOp[]): string[] {
  const out: string[] = [];
  let ai = 0;
  for (const op of ops) {
    if (op.kind === "insert") out.push(op.text);
    else {
      expect(op.a).toBe(ai);
      expect(op.text).toBe(a[ai]);
      ai++;
      if (op.kind === "equal") out.push(op.text);
    }
  }
  expect(ai).toBe(a.length);
  return out;
}

/** The length of a longest common subsequence, by dynamic programming (the reference). */
function lcs(a: readonly string[], b: readonly string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
  return dp[a.length]![b.length]!;
}

describe("diffLines", () => {
  it("finds a change in the middle of a flow", () => {
    const a = splitLines("id: f\nnamespace: n\ntasks:\n  - id: t\n    message: one\n");
    const b = splitLines("id: f\nnamespace: n\ntasks:\n  - id: t\n    message: two\n  - id: u\n");
    const ops = diffLines(a, b);
    expect(apply(a, ops)).toEqual(b);
    expect(ops.filter((o) => o.kind !== "equal")).toEqual([
      { kind: "delete", a: 4, text: "    message: one" },
      { kind: "insert", b: 4, text: "    message: two" },
      { kind: "insert", b: 5, text: "  - id: u" },
    ]);
    expect(diffStats(ops)).toEqual({ added: 2, removed: 1 });
  });

  it("handles empty sides and equal texts", () => {
    expect(diffLines([], [])).toEqual([]);
    expect(diffLines([], ["x"])).toEqual([{ kind: "insert", b: 0, text: "x" }]);
    expect(diffLines(["x"], [])).toEqual([{ kind: "delete", a: 0, text: "x" }]);
    expect(diffLines(["x", "y"], ["x", "y"]).every((o) => o.kind === "equal")).toBe(true);
  });

  it("gives a shortest script on random texts (as many equal lines as the longest common subsequence)", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: Math.floor(random() * 20) }, () => "abcd"[Math.floor(random() * 4)]!);
      const b = Array.from({ length: Math.floor(random() * 20) }, () => "abcd"[Math.floor(random() * 4)]!);
      const ops = diffLines(a, b);
      expect(apply(a, ops)).toEqual(b);
      expect(ops.filter((o) => o.kind === "equal").length).toBe(lcs(a, b));
    }
  });

  it("diffs 5,000-line texts with a few changes quickly", () => {
    const a = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[100] = "changed";
    b.splice(2500, 3);
    b.push("added");
    const ops = diffLines(a, b);
    expect(apply(a, ops)).toEqual(b);
    expect(diffStats(ops)).toEqual({ added: 2, removed: 4 });
  });
});

describe("sideBySide", () => {
  it("pairs deleted and inserted lines as changes, with line numbers on each side", () => {
    const rows = sideBySide(diffLines(["a", "b", "c"], ["a", "B", "B2", "c"]));
    expect(rows).toEqual([
      { kind: "equal", left: { line: 1, text: "a" }, right: { line: 1, text: "a" } },
      { kind: "change", left: { line: 2, text: "b" }, right: { line: 2, text: "B" } },
      { kind: "insert", right: { line: 3, text: "B2" } },
      { kind: "equal", left: { line: 3, text: "c" }, right: { line: 4, text: "c" } },
    ]);
  });
});

describe("splitLines", () => {
  it("drops the final newline and reads CRLF", () => {
    expect(splitLines("a\r\nb\n")).toEqual(["a", "b"]);
    expect(splitLines("")).toEqual([]);
  });
});
