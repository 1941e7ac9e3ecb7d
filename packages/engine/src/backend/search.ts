/**
 * Filters, sort and paging of a list, compiled to SQL: a WHERE clause with bound parameters, an
 * ORDER BY over whitelisted columns, LIMIT and OFFSET. User text is only ever bound, never spliced
 * into the statement. The matching rules are those the REST API has always had (Kestra's
 * `filters[field][OP]=value`): a case-insensitive CONTAINS, a namespace PREFIX that holds the
 * namespaces below it, RE2 for REGEX, dates compared as instants.
 */
import { isDuration, parseDuration, SakerError } from "@saker/sdk";
import { RegexError, userRegex } from "../model/regex.ts";

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

/** One filter: `field OP value` (several values: any of them; for NOT_*: none of them). */
export interface SearchFilter {
  field: string;
  op: FilterOp;
  values: readonly string[];
}

export interface SearchSort {
  field: string;
  desc: boolean;
}

/** Filters, sort and paging of a list; `page` from 1. */
export interface SearchQuery {
  filters?: readonly SearchFilter[];
  /** Keys in order, as objects or as `field:asc|desc` text (comma-separated lists too). */
  sort?: readonly (SearchSort | string)[];
  page?: number;
  size?: number;
}

export interface Page<T> {
  results: T[];
  total: number;
}

/** The largest page a search answers. */
export const MAX_PAGE_SIZE = 10_000;

/**
 * How values of a column compare: `text` as strings, `number` as numbers, `date` as instants
 * (ISO-8601 text), `duration` as ISO-8601 durations (sorted by their length).
 */
export type ColumnKind = "text" | "number" | "date" | "duration";

/** What a list exposes to filters and sorting: SQL expressions over its table, by field name. */
export interface SearchColumns {
  fields: Readonly<Record<string, { sql: string; kind: ColumnKind; sortable?: boolean }>>;
  /** A field holding a JSON array of `{key, value}` labels, matched as `key:value`. */
  labels?: { field: string; sql: string };
  /** Expressions searched by `q` / `query` (case-insensitive). */
  text: readonly string[];
  /** The field `timeRange` filters on (executions started since). */
  timeField?: string;
  /** Appended to every ORDER BY, so equal keys keep the list's natural order. */
  naturalOrder: string;
}

export interface CompiledSearch {
  /** Conditions joined with AND (`1` when none). */
  where: string;
  params: unknown[];
  orderBy: string;
  limit: number;
  offset: number;
}

/** Binds a value and returns its placeholder. */
export type Bind = (value: unknown) => string;

/**
 * What differs between the databases a search compiles to: placeholders, constants, and the
 * matching functions (SQLite's are registered by `sqlite/searchSql.ts`; PostgreSQL's are built
 * in). The filters' checks and meaning are the same for both.
 */
export interface SearchDialect {
  /** The placeholder of the `n`th parameter (from 1) of the statement. */
  placeholder(n: number): string;
  readonly true: string;
  readonly false: string;
  /** Whether `sql` starts with the literal `value` (case-sensitive). */
  startsWith(sql: string, value: string, bind: Bind): string;
  endsWith(sql: string, value: string, bind: Bind): string;
  /** Case-insensitive "holds `value`". */
  icontains(sql: string, value: string, bind: Bind): string;
  /** Matches the (checked) pattern. */
  regex(sql: string, pattern: string, bind: Bind): string;
  /** `sql <cmp> value`, where the value is neither an instant for a date column nor a number for a number column. */
  compare(sql: string, cmp: string, value: string, bind: Bind): string;
  /** An ISO-8601 duration's length, for sorting. */
  durationMs(sql: string): string;
  /** A key (and direction) of an ORDER BY, NULLs first when ascending as SQLite puts them. */
  sortKey(sql: string, kind: ColumnKind, desc: boolean): string;
  /** Whether one element `l` of the JSON array of labels `sql` satisfies `condition(key, value)`. */
  anyLabel(sql: string, condition: (key: string, value: string) => string): string;
}

/** How a compilation binds: its dialect, and the parameters the statement has before the search's. */
export interface CompileOptions {
  dialect: SearchDialect;
  /** Parameters bound before the search's (PostgreSQL numbers its placeholders). */
  paramsBefore?: number;
  now?: number;
}

/** A parameter list and the binder that appends to it. */
function binder(options: CompileOptions, params: unknown[]): Bind {
  const { dialect } = options;
  const before = options.paramsBefore ?? 0;
  return (value) => {
    params.push(value);
    return dialect.placeholder(before + params.length);
  };
}

const NEGATIVE: ReadonlySet<FilterOp> = new Set(["NOT_EQUALS", "NOT_IN"]);
const RANGE: Readonly<Partial<Record<FilterOp, string>>> = {
  GREATER_THAN: ">",
  LESS_THAN: "<",
  GREATER_THAN_OR_EQUAL_TO: ">=",
  LESS_THAN_OR_EQUAL_TO: "<=",
};

/** `path`: the part of the query at fault (`filters[state]`, `sort`, `page`, `size`). */
export const invalid = (message: string, path?: string) =>
  new SakerError("SEARCH_INVALID", message, path ? { details: { issues: [{ path, message }] } } : {});

/** Checks page and size and turns them into LIMIT/OFFSET. */
export function pageWindow(page = 1, size = 10): { limit: number; offset: number } {
  if (!Number.isInteger(page) || page < 1) throw invalid(`Invalid page ${page}: pages start at 1`, "page");
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw invalid(`Invalid page size ${size}: expected 1 to ${MAX_PAGE_SIZE}`, "size");
  return { limit: size, offset: (page - 1) * size };
}

/** `key:value` (the value may hold colons). */
export function parseLabel(text: string): { key: string; value: string } {
  const at = text.indexOf(":");
  if (at <= 0) throw invalid(`Invalid label '${text}': expected key:value`, "filters[labels]");
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

/** A REGEX filter runs on RE2 (linear time): no pattern can stall the database. */
export function checkRegex(pattern: string, path: string): void {
  if (pattern.length > 200) throw invalid("A REGEX filter is limited to 200 characters", path);
  try {
    userRegex(pattern);
  } catch (error) {
    throw invalid(`Invalid REGEX filter: ${error instanceof RegexError ? error.reason : String(error)}`, path);
  }
}

/** A date-like filter value as the stored form (UTC ISO-8601), so that text order is time order. */
export function isoInstant(value: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\d/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Dates as instants, numbers as numbers, anything else as text: how filters compare two values. */
export function compareValues(a: string, b: string): number {
  const da = Date.parse(a);
  const db = Date.parse(b);
  if (/^\d{4}-\d\d-\d\d/.test(a) && /^\d{4}-\d\d-\d\d/.test(b) && !Number.isNaN(da) && !Number.isNaN(db))
    return da - db;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function scalarCondition(
  dialect: SearchDialect,
  sql: string,
  kind: ColumnKind,
  op: FilterOp,
  value: string,
  bind: Bind,
  path: string,
): string {
  const isNumber = value.trim() !== "" && !Number.isNaN(Number(value));
  const typed = (v: string): unknown => (kind === "number" && isNumber ? Number(v) : v);
  // a number column never equals a text that is no number (PostgreSQL would refuse the comparison)
  if (kind === "number" && !isNumber && (op === "EQUALS" || op === "IN")) return dialect.false;
  if (kind === "number" && !isNumber && (op === "NOT_EQUALS" || op === "NOT_IN")) return dialect.true;
  switch (op) {
    case "EQUALS":
    case "IN":
      return `${sql} = ${bind(typed(value))}`;
    case "NOT_EQUALS":
    case "NOT_IN":
      return `${sql} <> ${bind(typed(value))}`;
    case "PREFIX":
      // a namespace and its children: `company` holds `company` and `company.team`, not `companyx`
      return `(${kind === "number" && !isNumber ? dialect.false : `${sql} = ${bind(typed(value))}`} OR ${dialect.startsWith(sql, value.endsWith(".") ? value : `${value}.`, bind)})`;
    case "STARTS_WITH":
      return dialect.startsWith(sql, value, bind);
    case "ENDS_WITH":
      return dialect.endsWith(sql, value, bind);
    case "CONTAINS":
      return dialect.icontains(sql, value, bind);
    case "REGEX":
      checkRegex(value, path);
      return dialect.regex(sql, value, bind);
    default: {
      const cmp = RANGE[op]!;
      const instant = kind === "date" ? isoInstant(value) : undefined;
      if (instant !== undefined) return `${sql} ${cmp} ${bind(instant)}`;
      if (kind === "number" && value.trim() !== "" && !Number.isNaN(Number(value)))
        return `${sql} ${cmp} ${bind(Number(value))}`;
      return dialect.compare(sql, cmp, value, bind);
    }
  }
}

function labelCondition(dialect: SearchDialect, sql: string, filter: SearchFilter, bind: Bind): string {
  const hit = (text: string) => {
    if (filter.op === "CONTAINS")
      return dialect.anyLabel(sql, (key, value) => dialect.icontains(`${key} || ':' || ${value}`, text, bind));
    const wanted = parseLabel(text);
    return dialect.anyLabel(sql, (key, value) => `${key} = ${bind(wanted.key)} AND ${value} = ${bind(wanted.value)}`);
  };
  const any = `(${filter.values.map(hit).join(" OR ")})`;
  return NEGATIVE.has(filter.op) ? `NOT ${any}` : any;
}

function textCondition(dialect: SearchDialect, columns: SearchColumns, value: string, bind: Bind): string {
  const parts = columns.text.map((sql) => dialect.icontains(sql, value, bind));
  if (columns.labels)
    parts.push(
      dialect.anyLabel(columns.labels.sql, (key, v) => dialect.icontains(`${key} || ':' || ${v}`, value, bind)),
    );
  return `(${parts.join(" OR ")})`;
}

export function knownFields(columns: SearchColumns): string[] {
  return [
    ...Object.keys(columns.fields),
    ...(columns.labels ? [columns.labels.field] : []),
    "q",
    "query",
    ...(columns.timeField ? ["timeRange"] : []),
    "scope",
  ];
}

function filterCondition(
  dialect: SearchDialect,
  columns: SearchColumns,
  f: SearchFilter,
  now: number,
  bind: Bind,
): string {
  if (!(FILTER_OPS as readonly string[]).includes(f.op))
    throw invalid(
      `Invalid filter operation '${f.op}' for '${f.field}'; expected one of ${FILTER_OPS.join(", ")}`,
      `filters[${f.field}]`,
    );
  if (f.values.length === 0) throw invalid(`Filter '${f.field}' has no value`, `filters[${f.field}]`);
  if (f.field === "q" || f.field === "query")
    return f.values.map((v) => textCondition(dialect, columns, v, bind)).join(" AND ");
  // Only user-defined objects exist here: a USER scope matches everything, SYSTEM nothing.
  if (f.field === "scope") return f.values.includes("USER") !== NEGATIVE.has(f.op) ? dialect.true : dialect.false;
  if (f.field === "timeRange" && columns.timeField) {
    const value = f.values[0]!;
    if (!isDuration(value))
      throw invalid(`Invalid timeRange '${value}': expected an ISO-8601 duration such as PT1H`, "filters[timeRange]");
    return `${columns.fields[columns.timeField]!.sql} >= ${bind(new Date(now - parseDuration(value)).toISOString())}`;
  }
  if (columns.labels && f.field === columns.labels.field) return labelCondition(dialect, columns.labels.sql, f, bind);
  const column = columns.fields[f.field];
  if (!column)
    throw invalid(
      `Unknown filter field '${f.field}'; expected one of ${knownFields(columns).join(", ")}`,
      `filters[${f.field}]`,
    );
  const each = f.values.map((v) =>
    scalarCondition(dialect, column.sql, column.kind, f.op, v, bind, `filters[${f.field}]`),
  );
  // A missing value matches only the negative operations, as "not equal to anything given".
  return NEGATIVE.has(f.op)
    ? `(${column.sql} IS NULL OR (${each.join(" AND ")}))`
    : `(${column.sql} IS NOT NULL AND (${each.join(" OR ")}))`;
}

/** The fields a search may sort on. */
export function sortableFields(columns: SearchColumns): string[] {
  return Object.entries(columns.fields)
    .filter(([, c]) => c.sortable !== false)
    .map(([name]) => name);
}

/** Parses `field:asc|desc` (comma-separated or repeated) against the sortable fields. */
export function parseSort(sort: readonly string[] | undefined, columns: SearchColumns): SearchSort[] {
  const known = sortableFields(columns);
  return (sort ?? [])
    .flatMap((s) => s.split(","))
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const [field = "", dir = "asc"] = s.trim().split(":");
      if (!known.includes(field))
        throw invalid(`Invalid sort field '${field}'; expected one of ${known.join(", ")}`, "sort");
      const d = dir.toLowerCase();
      if (d !== "asc" && d !== "desc") throw invalid(`Invalid sort direction '${dir}'; expected asc or desc`, "sort");
      return { field, desc: d === "desc" };
    });
}

function orderOf(dialect: SearchDialect, columns: SearchColumns, sort: readonly (SearchSort | string)[]): string {
  const known = sortableFields(columns);
  const parsed = sort.flatMap((s) => (typeof s === "string" ? parseSort([s], columns) : [s]));
  const keys = parsed.map((s) => {
    if (!known.includes(s.field))
      throw invalid(`Invalid sort field '${s.field}'; expected one of ${known.join(", ")}`, "sort");
    const column = columns.fields[s.field]!;
    const sql = column.kind === "duration" ? dialect.durationMs(column.sql) : column.sql;
    return dialect.sortKey(sql, column.kind, s.desc);
  });
  return [...keys, columns.naturalOrder].join(", ");
}

/** Compiles a search against a list's columns; throws `SEARCH_INVALID` for what it cannot take. */
export function compileSearch(columns: SearchColumns, query: SearchQuery, opts: CompileOptions): CompiledSearch {
  const { dialect } = opts;
  const params: unknown[] = [];
  const bind = binder(opts, params);
  const now = opts.now ?? Date.now();
  const conditions = (query.filters ?? []).map((f) => filterCondition(dialect, columns, f, now, bind));
  return {
    where: conditions.length ? conditions.join(" AND ") : dialect.true,
    params,
    orderBy: orderOf(dialect, columns, query.sort ?? []),
    ...pageWindow(query.page, query.size),
  };
}
