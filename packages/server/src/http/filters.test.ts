import { describe, expect, it } from "vitest";
import { ApiError } from "./errors.ts";
import { checkFields, legacyFilters, matches, parseFilterParams, type FieldTable } from "./filters.ts";
import { paginate, parseSort, sortItems } from "./paging.ts";

interface Row {
  id: string;
  namespace: string;
  state: string;
  startDate: string;
  labels: { key: string; value: string }[];
  duration: string;
}

const TABLE: FieldTable<Row> = {
  fields: {
    id: (r) => r.id,
    namespace: (r) => r.namespace,
    state: (r) => r.state,
    startDate: (r) => r.startDate,
    labels: (r) => r.labels,
    duration: (r) => r.duration,
  },
  text: (r) => [r.id, r.namespace],
};

const rows: Row[] = [
  {
    id: "a",
    namespace: "company",
    state: "SUCCESS",
    startDate: "2024-01-01T10:00:00.000Z",
    labels: [{ key: "env", value: "prod" }],
    duration: "PT10S",
  },
  {
    id: "b",
    namespace: "company.team",
    state: "FAILED",
    startDate: "2024-01-02T10:00:00.000Z",
    labels: [{ key: "env", value: "dev" }],
    duration: "PT1M",
  },
  {
    id: "c",
    namespace: "companyx",
    state: "RUNNING",
    startDate: "2024-01-03T10:00:00.000Z",
    labels: [],
    duration: "PT2S",
  },
];

const ids = (query: Record<string, unknown>) => {
  const filters = parseFilterParams(query);
  checkFields(filters, TABLE);
  return rows.filter((r) => matches(r, filters, TABLE)).map((r) => r.id);
};

describe("filters[field][OP]=value", () => {
  it("PREFIX takes a namespace and its children, not a longer name", () => {
    expect(ids({ "filters[namespace][PREFIX]": "company" })).toEqual(["a", "b"]);
  });

  it("EQUALS, NOT_EQUALS, IN (comma-separated or repeated), NOT_IN", () => {
    expect(ids({ "filters[namespace][EQUALS]": "company" })).toEqual(["a"]);
    expect(ids({ "filters[state][NOT_EQUALS]": "FAILED" })).toEqual(["a", "c"]);
    expect(ids({ "filters[state][IN]": "FAILED,RUNNING" })).toEqual(["b", "c"]);
    expect(ids({ "filters[state][IN]": ["FAILED", "SUCCESS"] })).toEqual(["a", "b"]);
    expect(ids({ "filters[state][NOT_IN]": "FAILED,RUNNING" })).toEqual(["a"]);
  });

  it("compares dates, and combines filters with AND", () => {
    expect(ids({ "filters[startDate][GREATER_THAN_OR_EQUAL_TO]": "2024-01-02T10:00:00Z" })).toEqual(["b", "c"]);
    expect(
      ids({ "filters[startDate][LESS_THAN]": "2024-01-02T10:00:00Z", "filters[namespace][PREFIX]": "company" }),
    ).toEqual(["a"]);
  });

  it("matches labels as key:value, or with the key in the parameter name", () => {
    expect(ids({ "filters[labels][EQUALS]": "env:prod" })).toEqual(["a"]);
    expect(ids({ "filters[labels][EQUALS][env]": "dev" })).toEqual(["b"]);
    expect(ids({ "filters[labels][NOT_EQUALS]": "env:prod" })).toEqual(["b", "c"]);
  });

  it("STARTS_WITH, ENDS_WITH, CONTAINS, REGEX and q", () => {
    expect(ids({ "filters[namespace][STARTS_WITH]": "companyx" })).toEqual(["c"]);
    expect(ids({ "filters[namespace][ENDS_WITH]": ".team" })).toEqual(["b"]);
    expect(ids({ "filters[namespace][CONTAINS]": "TEAM" })).toEqual(["b"]);
    expect(ids({ "filters[id][REGEX]": "^[ab]$" })).toEqual(["a", "b"]);
    expect(ids({ "filters[q][EQUALS]": "x" })).toEqual(["c"]);
  });

  it("reads an empty `filters` parameter (Kestra's JavaScript client) as no filter", () => {
    expect(ids({ filters: "" })).toEqual(["a", "b", "c"]);
    expect(ids({ filters: ["", ""], "filters[namespace][EQUALS]": "company" })).toEqual(["a"]);
    expect(() => ids({ filters: "namespace" })).toThrow(ApiError);
  });

  it("refuses unknown fields and operations with a 400 naming them", () => {
    expect(() => ids({ "filters[nope][EQUALS]": "x" })).toThrow(/Unknown filter field 'nope'/);
    expect(() => ids({ "filters[state][LIKE]": "x" })).toThrow(/Invalid filter operation 'LIKE'/);
    expect(() => ids({ "filters[state]": "x" })).toThrow(ApiError);
    try {
      ids({ "filters[state][LIKE]": "x" });
    } catch (error) {
      expect((error as ApiError).status).toBe(400);
      expect((error as ApiError).extra.path).toBe("query.filters[state][LIKE]");
    }
  });

  it("turns the older parameters into the same filters", () => {
    const filters = legacyFilters({
      namespace: "company",
      state: ["FAILED,SUCCESS"],
      labels: ["env:dev"],
      startDate: "2024-01-01T00:00:00Z",
    });
    expect(rows.filter((r) => matches(r, filters, TABLE)).map((r) => r.id)).toEqual(["b"]);
  });

  it("filters on timeRange from now", () => {
    const filters = legacyFilters({ timeRange: "P2D" });
    checkFields(filters, TABLE);
    expect(rows.filter((r) => matches(r, filters, TABLE, Date.parse("2024-01-03T12:00:00Z"))).map((r) => r.id)).toEqual(
      ["b", "c"],
    );
    expect(() => checkFields(legacyFilters({ timeRange: "yesterday" }), TABLE)).toThrow(/Invalid timeRange/);
  });
});

describe("sort and pages", () => {
  it("sorts by several keys, durations by length", () => {
    expect(sortItems(rows, parseSort(["duration:desc"], Object.keys(TABLE.fields)), TABLE).map((r) => r.id)).toEqual([
      "b",
      "a",
      "c",
    ]);
    expect(sortItems(rows, parseSort(["state:asc"], Object.keys(TABLE.fields)), TABLE).map((r) => r.id)).toEqual([
      "b",
      "c",
      "a",
    ]);
  });

  it("refuses an unknown sort field or direction", () => {
    expect(() => parseSort(["nope:asc"], ["id"])).toThrow(/Invalid sort field 'nope'/);
    expect(() => parseSort(["id:up"], ["id"])).toThrow(/Invalid sort direction 'up'/);
  });

  it("pages from 1 and counts the total", () => {
    expect(paginate([1, 2, 3, 4, 5], 2, 2)).toEqual({ results: [3, 4], total: 5 });
    expect(paginate([1, 2, 3], 3, 2)).toEqual({ results: [], total: 3 });
  });
});
