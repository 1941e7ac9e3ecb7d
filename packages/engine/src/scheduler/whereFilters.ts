/**
 * The `where` filters of Flow trigger preconditions: each compares a field of the upstream
 * execution (its flow id, namespace, state, or a rendered EXPRESSION) with `value` or `values`.
 * An EXPRESSION is rendered from `value`; for the comparing types (EQUAL_TO, STARTS_WITH…) Kestra
 * then compares that same `value` with its rendering, which is kept here.
 */
import type { ExecutionView } from "../model/executionView.ts";
import { isTruthy } from "../expression/index.ts";
import { fullMatch } from "../model/regex.ts";

export const FILTER_FIELDS = ["FLOW_ID", "NAMESPACE", "STATE", "EXPRESSION"] as const;
export const FILTER_TYPES = [
  "EQUAL_TO",
  "NOT_EQUAL_TO",
  "IN",
  "NOT_IN",
  "IS_TRUE",
  "IS_FALSE",
  "IS_NULL",
  "IS_NOT_NULL",
  "STARTS_WITH",
  "ENDS_WITH",
  "REGEX",
  "CONTAINS",
] as const;

export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterType = (typeof FILTER_TYPES)[number];

export interface WhereFilter {
  field: FilterField;
  type: FilterType;
  value?: string | undefined;
  values?: readonly string[] | undefined;
}

export interface ExecutionFilter {
  id: string;
  operand?: "AND" | "OR" | undefined;
  filters: readonly WhereFilter[];
}

const LIST_TYPES: readonly string[] = ["IN", "NOT_IN"];

/** Kestra's rule: `values` for IN and NOT_IN only, `value` for every other type. */
export function filterProblems(filter: { type?: unknown; value?: unknown; values?: unknown }): string[] {
  const type = String(filter.type);
  if (!(FILTER_TYPES as readonly string[]).includes(type)) return [];
  const list = LIST_TYPES.includes(type);
  const problems: string[] = [];
  if (!list && filter.value === undefined) problems.push(`'value' is required for type ${type}`);
  if (list && filter.value !== undefined) problems.push(`'value' must not be set for type ${type}`);
  if (list && filter.values === undefined) problems.push(`'values' is required for type ${type}`);
  if (!list && filter.values !== undefined) problems.push(`'values' must not be set for type ${type}`);
  return problems;
}

/** Tests one filter; `render` renders an EXPRESSION's value against the upstream execution. */
export async function testFilter(
  filter: WhereFilter,
  execution: ExecutionView,
  render: (template: string) => Promise<string>,
): Promise<boolean> {
  let field: string | undefined;
  switch (filter.field) {
    case "FLOW_ID":
      field = execution.flowId;
      break;
    case "NAMESPACE":
      field = execution.namespace;
      break;
    case "STATE":
      field = execution.state;
      break;
    case "EXPRESSION":
      field = filter.value === undefined ? undefined : await render(filter.value);
      break;
  }
  const value = filter.value ?? "";
  switch (filter.type) {
    case "EQUAL_TO":
      return field === value;
    case "NOT_EQUAL_TO":
      return field !== value;
    case "IN":
      return field !== undefined && (filter.values ?? []).includes(field);
    case "NOT_IN":
      return field === undefined || !(filter.values ?? []).includes(field);
    case "IS_TRUE":
      return isTruthy(field);
    case "IS_FALSE":
      return !isTruthy(field);
    case "IS_NULL":
      return field === undefined;
    case "IS_NOT_NULL":
      return field !== undefined;
    case "STARTS_WITH":
      return field !== undefined && field.startsWith(value);
    case "ENDS_WITH":
      return field !== undefined && field.endsWith(value);
    case "REGEX":
      return field !== undefined && fullMatch(value, field);
    case "CONTAINS":
      return field !== undefined && field.includes(value);
  }
}

/** Tests a `where` entry: its filters combined with AND (default) or OR. */
export async function testExecutionFilter(
  filter: ExecutionFilter,
  execution: ExecutionView,
  render: (template: string) => Promise<string>,
): Promise<boolean> {
  const results: boolean[] = [];
  for (const f of filter.filters) results.push(await testFilter(f, execution, render));
  return filter.operand === "OR" ? results.some(Boolean) : results.every(Boolean);
}
