/**
 * The filters of the executions list and of the logs search, as kept in the URL, and the API
 * query they make (dates typed in the browser's local time are sent as ISO-8601 instants).
 */
import { toApiQuery, type FilterSpecs, type FilterValues, type ListState } from "./urlFilters.ts";

/** A change of a list's state: some filters, the page, size or sort. */
export interface ListChange<S extends FilterSpecs> {
  filters?: Partial<FilterValues<S>>;
  page?: number;
  size?: number;
  sort?: string;
}

export const EXECUTION_FILTERS = {
  namespace: { op: "PREFIX" },
  flowId: { op: "EQUALS" },
  state: { op: "IN", multiple: true },
  labels: { op: "EQUALS" },
  q: { op: "EQUALS" },
  from: { op: "GREATER_THAN_OR_EQUAL_TO", field: "startDate" },
  to: { op: "LESS_THAN_OR_EQUAL_TO", field: "startDate" },
} as const satisfies FilterSpecs;

export const LOG_FILTERS = {
  namespace: { op: "PREFIX" },
  flowId: { op: "EQUALS" },
  level: { op: "EQUALS" },
  q: { op: "EQUALS" },
  from: { op: "GREATER_THAN_OR_EQUAL_TO", field: "startDate" },
  to: { op: "LESS_THAN_OR_EQUAL_TO", field: "startDate" },
} as const satisfies FilterSpecs;

/** A `datetime-local` value (`2026-12-05T07:30`) as an ISO instant; undefined when it is not a date. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const DATE_FIELDS = new Set(["startDate", "endDate"]);

/**
 * The API's query for a list state: date filters as ISO instants (an invalid one is left out),
 * `exact` filters of an embedding page (its namespace or flow) added as EQUALS.
 */
export function apiQueryOf<S extends FilterSpecs>(
  specs: S,
  state: ListState<S>,
  exact: Record<string, string | undefined> = {},
  rename: Record<string, string> = {},
): URLSearchParams {
  const base = toApiQuery(specs, state);
  const query = new URLSearchParams();
  for (const [key, value] of base) {
    const m = /^filters\[([^\]]+)\]\[([^\]]+)\]$/.exec(key);
    if (m && DATE_FIELDS.has(m[1]!)) {
      const iso = localToIso(value);
      if (iso) query.append(key, iso);
    } else if (m && rename[m[1]!]) {
      query.append(`filters[${rename[m[1]!]}][${m[2]}]`, value);
    } else query.append(key, value);
  }
  for (const [field, value] of Object.entries(exact)) {
    if (!value) continue;
    query.delete(`filters[${field}][PREFIX]`);
    query.delete(`filters[${field}][EQUALS]`);
    query.append(`filters[${field}][EQUALS]`, value);
  }
  return query;
}

/**
 * The filters an embedding page adds: a flow's page its namespace and flow exactly, a namespace's
 * page its namespace and the namespaces below it (PREFIX, as the namespace filter).
 */
export function scopeFilters(scope: { namespace?: string; flowId?: string } | undefined): {
  exact: Record<string, string | undefined>;
  namespacePrefix?: string;
} {
  if (!scope) return { exact: {} };
  if (scope.flowId) return { exact: { namespace: scope.namespace, flowId: scope.flowId } };
  return { exact: {}, ...(scope.namespace ? { namespacePrefix: scope.namespace } : {}) };
}

/** The sort after a click on a column: that field descending, then ascending, then back. */
export function nextSort(current: string | undefined, field: string): string {
  const [f, dir] = (current ?? "").split(":");
  if (f !== field) return `${field}:desc`;
  return dir === "desc" ? `${field}:asc` : `${field}:desc`;
}
