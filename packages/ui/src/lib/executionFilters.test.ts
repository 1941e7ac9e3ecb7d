import { describe, expect, it } from "vitest";
import { readListState } from "./urlFilters.ts";
import { apiQueryOf, EXECUTION_FILTERS, localToIso, nextSort, scopeFilters } from "./executionFilters.ts";

describe("the executions list's filters", () => {
  it("send states as one IN list, dates as ISO instants, and an embedding page's scope as EQUALS", () => {
    const state = readListState(
      EXECUTION_FILTERS,
      new URLSearchParams("namespace=co&state=FAILED&state=WARNING&from=2026-12-05T07:30&to=nonsense&labels=k:v"),
    );
    const query = apiQueryOf(EXECUTION_FILTERS, state, { flowId: "hello" });
    expect(query.get("filters[state][IN]")).toBe("FAILED,WARNING");
    expect(query.get("filters[namespace][PREFIX]")).toBe("co");
    expect(query.get("filters[labels][EQUALS]")).toBe("k:v");
    expect(query.get("filters[startDate][GREATER_THAN_OR_EQUAL_TO]")).toBe(localToIso("2026-12-05T07:30"));
    expect(query.has("filters[startDate][LESS_THAN_OR_EQUAL_TO]")).toBe(false);
    expect(query.get("filters[flowId][EQUALS]")).toBe("hello");
    const scoped = apiQueryOf(EXECUTION_FILTERS, state, { namespace: "team" });
    expect(scoped.has("filters[namespace][PREFIX]")).toBe(false);
    expect(scoped.get("filters[namespace][EQUALS]")).toBe("team");
  });

  it("scope a flow's page exactly and a namespace's page to it and the namespaces below", () => {
    expect(scopeFilters({ namespace: "a.b", flowId: "f" })).toEqual({ exact: { namespace: "a.b", flowId: "f" } });
    expect(scopeFilters({ namespace: "a.b" })).toEqual({ exact: {}, namespacePrefix: "a.b" });
    expect(scopeFilters(undefined)).toEqual({ exact: {} });
  });

  it("cycles a column's sort from descending to ascending", () => {
    expect(nextSort(undefined, "state.duration")).toBe("state.duration:desc");
    expect(nextSort("state.duration:desc", "state.duration")).toBe("state.duration:asc");
    expect(nextSort("state.duration:asc", "state.duration")).toBe("state.duration:desc");
    expect(nextSort("state.duration:asc", "flowId")).toBe("flowId:desc");
  });
});
