import { describe, expect, it } from "vitest";
import { nestDotted } from "./nestDotted.ts";

describe("nestDotted", () => {
  it("nests dotted ids, merges siblings and keeps plain ids", () => {
    expect(nestDotted({ "a.b": 1, "a.c.d": 2, e: 3 })).toEqual({ a: { b: 1, c: { d: 2 } }, e: 3 });
  });

  it("replaces a plain value that a dotted id needs as a map", () => {
    expect(nestDotted({ a: 1, "a.b": 2 })).toEqual({ a: { b: 2 } });
  });
});
