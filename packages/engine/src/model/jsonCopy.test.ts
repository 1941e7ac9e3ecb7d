import { describe, expect, it } from "vitest";
import { jsonCopy } from "./jsonCopy.ts";

/** What the copy must equal: the JSON round trip. */
const roundTrip = (value: unknown): unknown => {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? undefined : JSON.parse(text);
};

const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe("jsonCopy", () => {
  it("copies a document deeply: nothing of the copy is shared with the original", () => {
    const original = { state: { histories: [{ state: "CREATED" }] }, labels: [{ key: "a", value: "b" }] };
    const copy = jsonCopy(original);
    expect(copy).toEqual(original);
    copy.state.histories[0]!.state = "RUNNING";
    copy.labels.push({ key: "c", value: "d" });
    expect(original).toEqual({ state: { histories: [{ state: "CREATED" }] }, labels: [{ key: "a", value: "b" }] });
  });

  it.each([
    [
      "undefined, functions and symbols in an object (left out) and in an array (null)",
      { a: undefined, f: () => 1, s: Symbol("s"), list: [undefined, () => 1, Symbol("s"), 1] },
    ],
    ["numbers JSON cannot write", { nan: NaN, inf: Infinity, minus: -Infinity, zero: -0, list: [NaN, -0] }],
    ["dates and objects with toJSON", { at: new Date("2026-01-02T03:04:05.000Z"), custom: { toJSON: () => "custom" } }],
    ["class instances, maps and sets", { map: new Map([["a", 1]]), set: new Set([1]), url: new URL("https://x.y/z") }],
    ["an own __proto__ key", JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown],
    ["objects without a prototype", Object.assign(Object.create(null) as object, { a: [1, { b: "c" }] })],
    ["key order, integer keys first", { b: 1, 2: "two", a: 2, 1: "one" }],
    ["nested arrays and empty containers", { a: [[], [{}], [[1, "x", true, null]]] }],
    ["strings with lone surrogates and control characters", { s: "\ud800 \u0000 \n é 😀" }],
  ])("gives what the JSON round trip gives: %s", (_name, value) => {
    const copy = jsonCopy(value);
    expect(copy).toStrictEqual(roundTrip(value));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
  });

  it("does not set the copy's prototype from an own __proto__ key", () => {
    const copy = jsonCopy(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__"]);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("copies primitives alone as the round trip does, and throws where it throws", () => {
    for (const value of ["text", 1, true, null, undefined, NaN])
      expect(jsonCopy(value)).toStrictEqual(roundTrip(value));
    expect(() => jsonCopy({ big: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonCopy(cyclic)).toThrow();
  });

  describe("on a worker job", () => {
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
});
