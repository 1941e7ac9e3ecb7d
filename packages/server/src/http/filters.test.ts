import { describe, expect, it } from "vitest";
import { ApiError } from "./errors.ts";
import { legacyFilters, parseFilterParams, parseLabel } from "./filters.ts";

describe("filters[field][OP]=value parameters", () => {
  it("read IN lists (comma-separated or repeated), labels with the key in the name, and upper-case operations", () => {
    expect(parseFilterParams({ "filters[state][IN]": "FAILED, RUNNING,", page: "1" })).toEqual([
      { field: "state", op: "IN", values: ["FAILED", "RUNNING"] },
    ]);
    expect(parseFilterParams({ "filters[state][in]": ["FAILED", "SUCCESS"] })).toEqual([
      { field: "state", op: "IN", values: ["FAILED", "SUCCESS"] },
    ]);
    expect(parseFilterParams({ "filters[labels][EQUALS][env]": "dev" })).toEqual([
      { field: "labels", op: "EQUALS", values: ["env:dev"] },
    ]);
  });

  it("read an empty `filters` parameter (Kestra's JavaScript client) as no filter", () => {
    expect(parseFilterParams({ filters: "" })).toEqual([]);
    expect(parseFilterParams({ filters: ["", ""], "filters[namespace][EQUALS]": "company" })).toHaveLength(1);
    expect(() => parseFilterParams({ filters: "namespace" })).toThrow(ApiError);
  });

  it("refuse an unknown operation or a malformed key with a 400 naming the parameter", () => {
    expect(() => parseFilterParams({ "filters[state]": "x" })).toThrow(ApiError);
    try {
      parseFilterParams({ "filters[state][LIKE]": "x" });
      expect.unreachable();
    } catch (error) {
      expect((error as ApiError).status).toBe(400);
      expect((error as ApiError).message).toMatch(/Invalid filter operation 'LIKE'/);
      expect((error as ApiError).extra.path).toBe("query.filters[state][LIKE]");
    }
  });

  it("turn the older parameters into the same filters", () => {
    expect(
      legacyFilters({ namespace: "company", state: ["FAILED,SUCCESS"], labels: ["env:dev"], timeRange: "PT1H" }),
    ).toEqual([
      { field: "namespace", op: "PREFIX", values: ["company"] },
      { field: "state", op: "IN", values: ["FAILED", "SUCCESS"] },
      { field: "labels", op: "EQUALS", values: ["env:dev"] },
      { field: "timeRange", op: "EQUALS", values: ["PT1H"] },
    ]);
    expect(parseLabel("a:b:c")).toEqual({ key: "a", value: "b:c" });
    expect(() => parseLabel(":b")).toThrow(ApiError);
  });
});
