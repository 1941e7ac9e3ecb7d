import { describe, expect, it } from "vitest";
import { viewExecution } from "../model/executionView.ts";
import { execution } from "./__tests__/support.ts";
import { isTruthy } from "../expression/index.ts";
import { filterProblems, testExecutionFilter, testFilter, type WhereFilter } from "./whereFilters.ts";

const ex = viewExecution(
  execution({ namespace: "company.team.sales", flowId: "load-orders", state: { current: "WARNING" } }),
);
const render = async (template: string) =>
  ({ "{{ yes }}": "true", "{{ no }}": "false", "{{ zero }}": "0", "{{ empty }}": "", "{{ name }}": "load-orders" })[
    template
  ] ?? template;

describe("where filters", () => {
  const cases: [WhereFilter, boolean][] = [
    [{ field: "FLOW_ID", type: "EQUAL_TO", value: "load-orders" }, true],
    [{ field: "FLOW_ID", type: "EQUAL_TO", value: "load" }, false],
    [{ field: "FLOW_ID", type: "NOT_EQUAL_TO", value: "load" }, true],
    [{ field: "NAMESPACE", type: "NOT_EQUAL_TO", value: "company.team.sales" }, false],
    [{ field: "STATE", type: "IN", values: ["SUCCESS", "WARNING"] }, true],
    [{ field: "STATE", type: "IN", values: ["SUCCESS"] }, false],
    [{ field: "STATE", type: "NOT_IN", values: ["FAILED", "KILLED"] }, true],
    [{ field: "STATE", type: "NOT_IN", values: ["WARNING"] }, false],
    [{ field: "NAMESPACE", type: "STARTS_WITH", value: "company.team" }, true],
    [{ field: "NAMESPACE", type: "STARTS_WITH", value: "team" }, false],
    [{ field: "NAMESPACE", type: "ENDS_WITH", value: "team.sales" }, true],
    [{ field: "NAMESPACE", type: "ENDS_WITH", value: "team" }, false],
    [{ field: "FLOW_ID", type: "CONTAINS", value: "-ord" }, true],
    [{ field: "FLOW_ID", type: "CONTAINS", value: "sales" }, false],
    [{ field: "FLOW_ID", type: "REGEX", value: "load-[a-z]+" }, true],
    // a regex must match the whole value, as Java's matches()
    [{ field: "FLOW_ID", type: "REGEX", value: "load" }, false],
    [{ field: "EXPRESSION", type: "IS_TRUE", value: "{{ yes }}" }, true],
    [{ field: "EXPRESSION", type: "IS_TRUE", value: "{{ zero }}" }, false],
    [{ field: "EXPRESSION", type: "IS_FALSE", value: "{{ no }}" }, true],
    [{ field: "EXPRESSION", type: "IS_FALSE", value: "{{ empty }}" }, true],
    [{ field: "EXPRESSION", type: "IS_FALSE", value: "{{ yes }}" }, false],
    [{ field: "EXPRESSION", type: "IS_NULL", value: "{{ yes }}" }, false],
    [{ field: "EXPRESSION", type: "IS_NOT_NULL", value: "{{ yes }}" }, true],
    [{ field: "FLOW_ID", type: "IS_NULL", value: "x" }, false],
    // Kestra compares an EXPRESSION's own value with its rendering
    [{ field: "EXPRESSION", type: "EQUAL_TO", value: "literal" }, true],
    [{ field: "EXPRESSION", type: "EQUAL_TO", value: "{{ name }}" }, false],
  ];
  it.each(cases)("%j → %s", async (filter, expected) => {
    expect(await testFilter(filter, ex, render)).toBe(expected);
  });

  it("combines filters with AND by default, or OR", async () => {
    const filters: WhereFilter[] = [
      { field: "NAMESPACE", type: "STARTS_WITH", value: "company" },
      { field: "STATE", type: "EQUAL_TO", value: "SUCCESS" },
    ];
    expect(await testExecutionFilter({ id: "f", filters }, ex, render)).toBe(false);
    expect(await testExecutionFilter({ id: "f", operand: "AND", filters }, ex, render)).toBe(false);
    expect(await testExecutionFilter({ id: "f", operand: "OR", filters }, ex, render)).toBe(true);
  });

  it("checks value and values against the type", () => {
    expect(filterProblems({ type: "EQUAL_TO" })).toEqual(["'value' is required for type EQUAL_TO"]);
    expect(filterProblems({ type: "IN", value: "a" })).toEqual([
      "'value' must not be set for type IN",
      "'values' is required for type IN",
    ]);
    expect(filterProblems({ type: "STARTS_WITH", value: "a", values: ["b"] })).toEqual([
      "'values' must not be set for type STARTS_WITH",
    ]);
    expect(filterProblems({ type: "NOT_IN", values: [] })).toEqual([]);
  });

  it("reads truth as Kestra does", () => {
    expect(["true", "1", "yes", "false ", "null"].map(isTruthy)).toEqual([true, true, true, true, true]);
    expect(["false", "0", "-0", "", undefined].map(isTruthy)).toEqual([false, false, false, false, false]);
  });
});
