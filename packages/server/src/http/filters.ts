/**
 * Kestra's search filters: `filters[field][OP]=value` (repeatable; `IN` also takes a
 * comma-separated list; labels also as `filters[labels][EQUALS][key]=value`), plus the older
 * parameters (`namespace`, `flowId`, `state`, `labels=k:v`, `startDate`, `endDate`, `q`)
 * turned into the same filters. The engine checks the fields and matches them in SQL
 * (`SEARCH_INVALID` for an unknown field, operation or value).
 */
import { FILTER_OPS, type FilterOp } from "@saker/engine";
import { badRequest } from "./errors.ts";

export { FILTER_OPS, type FilterOp };

export interface Filter {
  field: string;
  op: FilterOp;
  values: string[];
}

const FILTER_KEY = /^filters\[([^\]]+)\]\[([^\]]+)\](?:\[([^\]]*)\])?$/;

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Reads every `filters[…][…]` key of a parsed query string. */
export function parseFilterParams(query: Record<string, unknown>): Filter[] {
  const filters: Filter[] = [];
  for (const [key, raw] of Object.entries(query)) {
    const m = FILTER_KEY.exec(key);
    if (!m) {
      // Kestra's JavaScript client sends `filters=` when no filter is set: no filter.
      if (key === "filters" && asList(raw).every((v) => v === "")) continue;
      if (key.startsWith("filters"))
        throw badRequest(`Invalid filter '${key}': expected filters[field][OPERATION]=value`, `query.${key}`);
      continue;
    }
    const field = m[1]!;
    const op = m[2]!.toUpperCase();
    if (!(FILTER_OPS as readonly string[]).includes(op)) {
      throw badRequest(
        `Invalid filter operation '${m[2]}' for '${field}'; expected one of ${FILTER_OPS.join(", ")}`,
        `query.${key}`,
      );
    }
    let values = asList(raw);
    const sub = m[3];
    if (sub) values = values.map((v) => `${sub}:${v}`);
    if (op === "IN" || op === "NOT_IN")
      values = values
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== "");
    filters.push({ field, op: op as FilterOp, values });
  }
  return filters;
}

export interface LegacyParams {
  q?: string | undefined;
  namespace?: string | undefined;
  flowId?: string | undefined;
  state?: string[] | undefined;
  labels?: string[] | undefined;
  startDate?: string | undefined;
  endDate?: string | undefined;
  timeRange?: string | undefined;
  triggerExecutionId?: string | undefined;
  childFilter?: string | undefined;
}

/** The older query parameters as filters. */
export function legacyFilters(params: LegacyParams): Filter[] {
  const filters: Filter[] = [];
  if (params.q) filters.push({ field: "q", op: "CONTAINS", values: [params.q] });
  if (params.namespace) filters.push({ field: "namespace", op: "PREFIX", values: [params.namespace] });
  if (params.flowId) filters.push({ field: "flowId", op: "EQUALS", values: [params.flowId] });
  if (params.state?.length)
    filters.push({ field: "state", op: "IN", values: params.state.flatMap((s) => s.split(",")) });
  for (const label of params.labels ?? []) filters.push({ field: "labels", op: "EQUALS", values: [label] });
  if (params.startDate)
    filters.push({ field: "startDate", op: "GREATER_THAN_OR_EQUAL_TO", values: [params.startDate] });
  if (params.endDate) filters.push({ field: "startDate", op: "LESS_THAN_OR_EQUAL_TO", values: [params.endDate] });
  if (params.timeRange) filters.push({ field: "timeRange", op: "EQUALS", values: [params.timeRange] });
  if (params.triggerExecutionId)
    filters.push({ field: "triggerExecutionId", op: "EQUALS", values: [params.triggerExecutionId] });
  if (params.childFilter) filters.push({ field: "childFilter", op: "EQUALS", values: [params.childFilter] });
  return filters;
}

/** `key:value` (the value may hold colons), as Kestra's `labels` parameter. */
export function parseLabel(text: string): { key: string; value: string } {
  const at = text.indexOf(":");
  if (at <= 0) throw badRequest(`Invalid label '${text}': expected key:value`, "query.labels");
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

/**
 * Refuses the parameters of a request that acts on whatever a search finds, when one is not a
 * filter it knows: an ignored filter would widen the action to everything.
 */
export function refuseUnknownParams(query: Record<string, unknown>, known: Iterable<string>): void {
  const allowed = new Set(known);
  // Kestra's clients send a bare `filters=` when no filter is set
  const emptyFilters = (value: unknown) => (Array.isArray(value) ? value : [value]).every((v) => v === "");
  const unknown = Object.keys(query).filter(
    (key) => !allowed.has(key) && !key.startsWith("filters[") && !(key === "filters" && emptyFilters(query[key])),
  );
  if (unknown.length)
    throw badRequest(
      `Unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `'${k}'`).join(", ")}: nothing was done`,
      `query.${unknown[0]}`,
    );
}
