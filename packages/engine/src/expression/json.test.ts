import { describe, expect, it } from "vitest";
import { parseJson } from "./json.ts";

describe("parseJson within the data limits", () => {
  it("refuses nesting past maxDepth without overflowing the stack", () => {
    expect(() => parseJson(`${"[".repeat(10_000)}${"]".repeat(10_000)}`)).toThrow(
      /nested deeper than 200 levels \(limit maxDepth = 200\)/,
    );
    expect(parseJson(`${"[".repeat(50)}1${"]".repeat(50)}`)).toBeDefined();
  });

  it("refuses keys that reach a prototype", () => {
    expect(() => parseJson('{"a": {"__proto__": {"polluted": true}}}')).toThrow("the key '__proto__' is not allowed");
    expect(() => parseJson('{"constructor": 1}')).toThrow("the key 'constructor' is not allowed");
  });
});
