import { describe, expect, it } from "vitest";
import { kvBody, kvText, ttlHeader } from "./kv.ts";

describe("KV values", () => {
  it("sends each type so that the API keeps it", () => {
    expect(kvBody("STRING", "42")).toEqual({ body: '"42"', contentType: "application/json" });
    expect(kvBody("NUMBER", " 4.5 ")).toEqual({ body: "4.5", contentType: "application/json" });
    expect(kvBody("BOOLEAN", "false")).toEqual({ body: "false", contentType: "application/json" });
    expect(kvBody("DATE", "2026-01-31")).toEqual({ body: "2026-01-31", contentType: "text/plain" });
    expect(kvBody("DATETIME", "2026-01-31T10:00:00+01:00")).toEqual({
      body: "2026-01-31T09:00:00.000Z",
      contentType: "text/plain",
    });
    expect(kvBody("DURATION", "pt1h30m")).toEqual({ body: "PT1H30M", contentType: "text/plain" });
    expect(kvBody("JSON", '{ "a": [1, 2] }')).toEqual({ body: '{"a":[1,2]}', contentType: "application/json" });
  });

  it("refuses a value that does not fit its type, with a message", () => {
    expect(() => kvBody("NUMBER", "ten")).toThrow("'ten' is not a number");
    expect(() => kvBody("NUMBER", "")).toThrow("is not a number");
    expect(() => kvBody("BOOLEAN", "yes")).toThrow("true or false");
    expect(() => kvBody("DATE", "31/01/2026")).toThrow("not a date");
    expect(() => kvBody("DATETIME", "tomorrow")).toThrow("not a date-time");
    expect(() => kvBody("DURATION", "P")).toThrow("not an ISO-8601 duration");
    expect(() => kvBody("JSON", "{a:1}")).toThrow("not valid JSON");
    expect(() => kvBody("JSON", "3")).toThrow("object or an array");
  });

  it("shows values as editable text, and reads a TTL", () => {
    expect(kvText("JSON", { a: 1 })).toBe('{\n  "a": 1\n}');
    expect(kvText("NUMBER", 3)).toBe("3");
    expect(kvText("STRING", "x")).toBe("x");
    expect(ttlHeader("")).toBeUndefined();
    expect(ttlHeader("pt1h")).toBe("PT1H");
    expect(ttlHeader("P7D")).toBe("P7D");
    expect(() => ttlHeader("1h")).toThrow("not an ISO-8601 duration");
  });
});
