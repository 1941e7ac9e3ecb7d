import { describe, expect, it } from "vitest";
import { checkConstraints, parseTypedValue, TypedValueError } from "./typedValues.ts";

describe("parseTypedValue", () => {
  it.each([
    ["INT", "42", 42],
    ["INT", 7, 7],
    ["FLOAT", "1.5", 1.5],
    ["BOOLEAN", "TRUE", true],
    ["BOOLEAN", "yes", false],
    ["DATETIME", "2024-01-01T10:00:00+01:00", "2024-01-01T09:00:00Z"],
    ["DATE", "2024-02-29", "2024-02-29"],
    ["TIME", "10:15:30", "10:15:30"],
    ["DURATION", "PT90S", "PT1M30S"],
    ["JSON", '{"a":[1,2]}', { a: [1, 2] }],
    ["YAML", "a: 1\nb: [x]", { a: 1, b: ["x"] }],
    ["URI", "https://kestra.io/docs", "https://kestra.io/docs"],
    ["ARRAY", "[1, 2]", [1, 2]],
  ])("%s %j → %j", (type, value, expected) => {
    expect(parseTypedValue(type, value)).toEqual(expected);
  });

  it("parses array items with itemType", () => {
    expect(parseTypedValue("ARRAY", '["1","2"]', { itemType: "INT" })).toEqual([1, 2]);
    expect(() => parseTypedValue("ARRAY", '["1","x"]', { itemType: "INT" })).toThrow(
      "Unable to parse array element as `INT` on `x`",
    );
  });

  it.each([
    ["INT", "abc", "Expected `INT` but received `abc`"],
    ["INT", "1.5", "Expected `INT` but received `1.5`"],
    ["INT", "3000000000", "Expected `INT`"],
    ["DATETIME", "yesterday", "Expected `DATETIME`"],
    ["DATE", "2024-13-45x", "Expected `DATE`"],
    ["DURATION", "5 minutes", "Expected `DURATION`"],
    ["JSON", "{oops", "Expected `JSON`"],
    ["URI", "not a uri", "Expected `URI` but received `not a uri`"],
    ["FILE", "/etc/passwd", "Expected `FILE`"],
  ])("rejects %s %j", (type, value, message) => {
    expect(() => parseTypedValue(type, value)).toThrow(TypedValueError);
    expect(() => parseTypedValue(type, value)).toThrow(message);
  });

  it("encrypts SECRET values when given a cipher", () => {
    expect(parseTypedValue("SECRET", "s3cr3t", { encrypt: (p) => `enc(${p})` })).toBe("enc(s3cr3t)");
  });
});

describe("checkConstraints", () => {
  it.each([
    [{ type: "STRING", validator: "^[a-z]+$" }, "ABC", "it must match the pattern `^[a-z]+$`"],
    [{ type: "INT", min: 10 }, 5, "it must be more than `10`"],
    [{ type: "INT", max: 10 }, 11, "it must be less than `10`"],
    [{ type: "DATE", after: "2024-01-01" }, "2023-12-31", "it must be after `2024-01-01`"],
    [{ type: "DURATION", max: "PT1M" }, "PT2M", "It must be less than `PT1M`"],
    [{ type: "ENUM", values: ["a", "b"] }, "c", "it must match the values `[a, b]`"],
    [{ type: "MULTISELECT", values: ["a", "b"] }, ["a", "z"], "it must match the values `[a, b]`"],
    [{ type: "EMAIL" }, "not-an-email", "The input must be a valid email"],
  ])("%j rejects %j", (definition, value, message) => {
    expect(() => checkConstraints(definition, value)).toThrow(message);
  });

  it("accepts values inside the constraints", () => {
    expect(() => checkConstraints({ type: "INT", min: 1, max: 3 }, 2)).not.toThrow();
    expect(() => checkConstraints({ type: "SELECT", values: ["a"], allowCustomValue: true }, "z")).not.toThrow();
    expect(() => checkConstraints({ type: "EMAIL" }, "a.b@example.com")).not.toThrow();
  });
});

describe("strict calendar", () => {
  it.each(["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31"])("DATE refuses %s", (text) => {
    expect(() => parseTypedValue("DATE", text)).toThrow(`Expected \`DATE\` but received \`${text}\``);
  });

  it("DATE keeps real days, leap days included", () => {
    expect(parseTypedValue("DATE", "2024-02-29")).toBe("2024-02-29");
    expect(parseTypedValue("DATE", "2024-12-31")).toBe("2024-12-31");
  });

  it.each([
    "2024-02-30T10:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:60:00Z",
    "2024-01-01T10:00:61Z",
    "2024-01-01T10:00:00+19:00",
  ])("DATETIME refuses %s instead of shifting it", (text) => {
    expect(() => parseTypedValue("DATETIME", text)).toThrow(`Expected \`DATETIME\` but received \`${text}\``);
  });

  it("DATETIME keeps real instants", () => {
    expect(parseTypedValue("DATETIME", "2024-02-29T23:59:59+02:00")).toBe("2024-02-29T21:59:59Z");
  });

  it.each(["25:61", "24:00", "12:60", "1:00"])("TIME refuses %s", (text) => {
    expect(() => parseTypedValue("TIME", text)).toThrow(`Expected \`TIME\` but received \`${text}\``);
  });

  it("JSON and YAML values follow the data limits", () => {
    expect(() => parseTypedValue("YAML", "a: &x [1, *x]")).toThrow(/recursive alias/);
    expect(() => parseTypedValue("JSON", '{"__proto__": {"admin": true}}')).toThrow(/'__proto__'/);
    expect(() => parseTypedValue("JSON", { nested: { constructor: 1 } })).toThrow(
      /'constructor' at nested.constructor/,
    );
  });
});
