import { describe, expect, it } from "vitest";
import { jsonCopy } from "./jsonCopy.ts";

const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("jsonCopy", () => {
  it("gives back what a JSON round trip gives back, as a copy", () => {
    const job = {
      id: "x",
      n: 1.5,
      zero: -0,
      nan: Number.NaN,
      on: true,
      none: null,
      missing: undefined,
      fn: () => 1,
      date: new Date(0),
      list: [1, undefined, () => 2, { a: [] }],
      nested: { deep: { texts: ["a", "b"] }, empty: {} },
      10: "integer keys first",
    };
    const copy = jsonCopy(job);
    expect(copy).toStrictEqual(viaJson(job));
    expect(Object.keys(copy)).toEqual(Object.keys(viaJson(job) as object));
    expect(copy.nested).not.toBe(job.nested);
    expect(copy.list[3]).not.toBe(job.list[3]);
  });

  it("keeps a __proto__ key as an own key, as JSON.parse does", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = jsonCopy(value);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(copy).toStrictEqual(viaJson(value));
  });

  it("copies a class instance and a toJSON through JSON", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const value = { p: new Point(1), t: { toJSON: () => "as text" } };
    expect(jsonCopy(value)).toStrictEqual(viaJson(value));
  });
});
