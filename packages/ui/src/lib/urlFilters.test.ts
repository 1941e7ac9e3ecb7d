import { describe, expect, it } from "vitest";
import { readListState, toApiQuery, writeListState, type FilterSpecs } from "./urlFilters.ts";

const SPECS = {
  namespace: { op: "PREFIX" },
  state: { op: "IN", multiple: true },
  from: { op: "GREATER_THAN_OR_EQUAL_TO", field: "startDate" },
  q: { op: "EQUALS" },
} satisfies FilterSpecs;

describe("filters in the URL", () => {
  it("reads filters, page, size and sort from the query", () => {
    const state = readListState(
      SPECS,
      new URLSearchParams("namespace=company&state=FAILED&state=WARNING&page=3&size=50&sort=id:asc"),
    );
    expect(state).toEqual({
      filters: { namespace: "company", state: ["FAILED", "WARNING"], from: "", q: "" },
      page: 3,
      size: 50,
      sort: "id:asc",
    });
  });

  it("falls back to page 1 and the default size on missing or bad values", () => {
    const state = readListState(SPECS, new URLSearchParams("page=-4&size=lots"), { sort: "state.startDate:desc" });
    expect(state.page).toBe(1);
    expect(state.size).toBe(25);
    expect(state.sort).toBe("state.startDate:desc");
    expect(readListState(SPECS, new URLSearchParams("size=100000")).size).toBe(500);
  });

  it("writes back only what differs from the defaults, and reads it again unchanged", () => {
    const state = readListState(SPECS, new URLSearchParams("state=FAILED&q=a%20b&page=2"));
    const query = writeListState(SPECS, state);
    expect(query.toString()).toBe("state=FAILED&q=a+b&page=2");
    expect(readListState(SPECS, query)).toEqual(state);
  });

  it("turns the state into the API's filters", () => {
    const state = readListState(
      SPECS,
      new URLSearchParams("namespace=company.team&state=FAILED&state=KILLED&from=2026-12-01T00:00:00Z"),
    );
    expect([...toApiQuery(SPECS, state)]).toEqual([
      ["filters[namespace][PREFIX]", "company.team"],
      ["filters[state][IN]", "FAILED,KILLED"],
      ["filters[startDate][GREATER_THAN_OR_EQUAL_TO]", "2026-12-01T00:00:00Z"],
      ["page", "1"],
      ["size", "25"],
    ]);
  });
});
