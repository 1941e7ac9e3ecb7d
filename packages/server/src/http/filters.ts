/**
 * Kestra's search filters: `filters[field][OP]=value` (repeatable; `IN` also takes a
 * comma-separated list; labels also as `filters[labels][EQUALS][key]=value`), plus the older
 * parameters (`namespace`, `flowId`, `state`, `labels=k:v`, `startDate`, `endDate`, `q`)
 * turned into the same filters. Filters are matched in memory against a field table per resource.
 */
import { isDuration, parseDuration } from "@saker/sdk";
import { RegexError, userRegex } from "@saker/engine/expression/regex";
import { badRequest } from "./errors.ts";

export const FILTER_OPS = [
  "EQUALS",
  "NOT_EQUALS",
  "GREATER_THAN",
  "LESS_THAN",
  "GREATER_THAN_OR_EQUAL_TO",
  "LESS_THAN_OR_EQUAL_TO",
  "IN",
  "NOT_IN",
  "STARTS_WITH",
  "ENDS_WITH",
  "CONTAINS",
  "REGEX",
  "PREFIX",
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Filter {
  field: string;
  op: FilterOp;
  values: string[];
}

/** How a resource exposes its fields to filters and sorting. */
export interface FieldTable<T> {
  /** Field name → value (a string, a date string, a number, or labels). */
  fields: Record<string, (item: T) => unknown>;
  /** Text searched by `q` / `filters[q]` / `filters[query]`. */
  text(item: T): string[];
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
  return filters;
}

/** `key:value` (the value may hold colons), as Kestra's `labels` parameter. */
export function parseLabel(text: string): { key: string; value: string } {
  const at = text.indexOf(":");
  if (at <= 0) throw badRequest(`Invalid label '${text}': expected key:value`, "query.labels");
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

interface LabelLike {
  key: string;
  value: string;
}

function isLabels(value: unknown): value is LabelLike[] {
  return Array.isArray(value) && value.every((l) => typeof l === "object" && l !== null && "key" in l && "value" in l);
}

function compare(a: string, b: string): number {
  const da = Date.parse(a);
  const db = Date.parse(b);
  if (/^\d{4}-\d\d-\d\d/.test(a) && /^\d{4}-\d\d-\d\d/.test(b) && !Number.isNaN(da) && !Number.isNaN(db))
    return da - db;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A REGEX filter runs on RE2 (linear time): no pattern can stall the server. */
function regex(pattern: string): ReturnType<typeof userRegex> {
  if (pattern.length > 200) throw badRequest("A REGEX filter is limited to 200 characters");
  try {
    return userRegex(pattern);
  } catch (error) {
    throw badRequest(`Invalid REGEX filter: ${error instanceof RegexError ? error.reason : String(error)}`);
  }
}

/** One scalar against one filter value. */
function matchScalar(actual: string, op: FilterOp, value: string): boolean {
  switch (op) {
    case "EQUALS":
    case "IN":
      return actual === value;
    case "NOT_EQUALS":
    case "NOT_IN":
      return actual !== value;
    case "PREFIX":
      // a namespace and its children: `company` matches `company` and `company.team`, not `companyx`
      return actual === value || actual.startsWith(value.endsWith(".") ? value : `${value}.`);
    case "STARTS_WITH":
      return actual.startsWith(value);
    case "ENDS_WITH":
      return actual.endsWith(value);
    case "CONTAINS":
      return actual.toLowerCase().includes(value.toLowerCase());
    case "REGEX":
      return regex(value).test(actual);
    case "GREATER_THAN":
      return compare(actual, value) > 0;
    case "LESS_THAN":
      return compare(actual, value) < 0;
    case "GREATER_THAN_OR_EQUAL_TO":
      return compare(actual, value) >= 0;
    case "LESS_THAN_OR_EQUAL_TO":
      return compare(actual, value) <= 0;
  }
}

const NEGATIVE: ReadonlySet<FilterOp> = new Set(["NOT_EQUALS", "NOT_IN"]);

function matchLabels(labels: LabelLike[], filter: Filter): boolean {
  const hit = (text: string) => {
    if (filter.op === "CONTAINS")
      return labels.some((l) => `${l.key}:${l.value}`.toLowerCase().includes(text.toLowerCase()));
    const wanted = parseLabel(text);
    return labels.some((l) => l.key === wanted.key && l.value === wanted.value);
  };
  return NEGATIVE.has(filter.op) ? !filter.values.some(hit) : filter.values.some(hit);
}

function matchValue(actual: unknown, filter: Filter): boolean {
  if (isLabels(actual)) return matchLabels(actual, filter);
  if (actual === undefined || actual === null) return NEGATIVE.has(filter.op);
  const text = String(actual);
  if (NEGATIVE.has(filter.op)) return filter.values.every((v) => matchScalar(text, filter.op, v));
  return filter.values.some((v) => matchScalar(text, filter.op, v));
}

/** Checks filter fields against the table before any matching, so a typo is a 400, not an empty list. */
export function checkFields<T>(filters: readonly Filter[], table: FieldTable<T>): void {
  const known = [...Object.keys(table.fields), "q", "query", "timeRange", "scope"];
  for (const f of filters) {
    if (!known.includes(f.field))
      throw badRequest(
        `Unknown filter field '${f.field}'; expected one of ${known.join(", ")}`,
        `query.filters[${f.field}]`,
      );
    if (f.values.length === 0) throw badRequest(`Filter '${f.field}' has no value`, `query.filters[${f.field}]`);
    if (f.field === "timeRange" && !f.values.every(isDuration))
      throw badRequest(
        `Invalid timeRange '${f.values[0]}': expected an ISO-8601 duration such as PT1H`,
        "query.timeRange",
      );
  }
}

export function matches<T>(item: T, filters: readonly Filter[], table: FieldTable<T>, now = Date.now()): boolean {
  return filters.every((f) => {
    if (f.field === "q" || f.field === "query") {
      const texts = table.text(item);
      return f.values.every((v) => texts.some((t) => t.toLowerCase().includes(v.toLowerCase())));
    }
    if (f.field === "scope") return f.values.includes("USER") !== NEGATIVE.has(f.op);
    if (f.field === "timeRange") {
      const start = table.fields.startDate?.(item);
      const since = now - parseDuration(f.values[0]!);
      return typeof start === "string" && Date.parse(start) >= since;
    }
    return matchValue(table.fields[f.field]!(item), f);
  });
}
