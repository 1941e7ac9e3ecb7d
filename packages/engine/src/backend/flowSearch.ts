/**
 * A flow search (`SearchQuery`: filters, sort, paging) answered over the latest revisions in
 * memory, with the answers of the SQLite store's SQL (`sqlite/flowStore.ts` `FLOW_COLUMNS`): a
 * tenant has as many flows as it deploys, not a growing table, so PostgreSQL reads them all and
 * filters here rather than keeping a second SQL dialect of the search.
 */
import { userRegex } from "../expression/regex.ts";
import { FLOW_COLUMNS } from "./sqlite/flowStore.ts";
import {
  checkRegex,
  compareValues,
  FILTER_OPS,
  invalid,
  isoInstant,
  knownFields,
  pageWindow,
  parseLabel,
  parseSort,
  type ColumnKind,
  type FilterOp,
  type Page,
  type SearchFilter,
  type SearchQuery,
  type SearchSort,
} from "./sqlite/searchSql.ts";
import type { FlowSummary } from "./records.ts";

const NEGATIVE: ReadonlySet<FilterOp> = new Set(["NOT_EQUALS", "NOT_IN"]);

/** A flow's value of a search field, as the SQL column gives it. */
function fieldValue(flow: FlowSummary, field: string): string | number {
  switch (field) {
    case "id":
    case "flowId":
      return flow.id;
    case "namespace":
      return flow.namespace;
    case "revision":
      return flow.revision;
    case "disabled":
      return flow.disabled ? "true" : "false";
    default:
      return flow.updated;
  }
}

/** Byte order of strings, as SQLite's BINARY collation compares them. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const isNumber = (v: string) => v.trim() !== "" && !Number.isNaN(Number(v));
const icontains = (hay: string, needle: string) => hay.toLowerCase().includes(needle.toLowerCase());

function scalarMatch(value: string | number, kind: ColumnKind, op: FilterOp, wanted: string): boolean {
  const text = String(value);
  switch (op) {
    case "EQUALS":
    case "IN":
    case "NOT_EQUALS":
    case "NOT_IN": {
      const equal = kind === "number" ? isNumber(wanted) && Number(value) === Number(wanted) : text === wanted;
      return NEGATIVE.has(op) ? !equal : equal;
    }
    case "PREFIX":
      return text === wanted || text.startsWith(wanted.endsWith(".") ? wanted : `${wanted}.`);
    case "STARTS_WITH":
      return text.startsWith(wanted);
    case "ENDS_WITH":
      return text.endsWith(wanted);
    case "CONTAINS":
      return icontains(text, wanted);
    case "REGEX":
      return userRegex(wanted).test(text);
    default: {
      const instant = kind === "date" ? isoInstant(wanted) : undefined;
      const order =
        instant !== undefined
          ? byBytes(text, instant)
          : kind === "number" && isNumber(wanted)
            ? Number(value) - Number(wanted)
            : compareValues(text, wanted);
      if (op === "GREATER_THAN") return order > 0;
      if (op === "LESS_THAN") return order < 0;
      if (op === "GREATER_THAN_OR_EQUAL_TO") return order >= 0;
      return order <= 0;
    }
  }
}

const labelTexts = (flow: FlowSummary) => flow.labels.map((l) => `${l.key}:${l.value}`);

/** A check of one flow for a filter; throws `SEARCH_INVALID` as the SQL compiler does. */
function filterTest(f: SearchFilter): (flow: FlowSummary) => boolean {
  if (!(FILTER_OPS as readonly string[]).includes(f.op))
    throw invalid(
      `Invalid filter operation '${f.op}' for '${f.field}'; expected one of ${FILTER_OPS.join(", ")}`,
      `filters[${f.field}]`,
    );
  if (f.values.length === 0) throw invalid(`Filter '${f.field}' has no value`, `filters[${f.field}]`);
  if (f.field === "q" || f.field === "query")
    return (flow) =>
      f.values.every(
        (v) => icontains(flow.id, v) || icontains(flow.namespace, v) || labelTexts(flow).some((l) => icontains(l, v)),
      );
  if (f.field === "scope") {
    const all = f.values.includes("USER") !== NEGATIVE.has(f.op);
    return () => all;
  }
  if (f.field === FLOW_COLUMNS.labels!.field) {
    const hits = f.values.map((text): ((flow: FlowSummary) => boolean) => {
      if (f.op === "CONTAINS") return (flow) => labelTexts(flow).some((l) => icontains(l, text));
      const wanted = parseLabel(text);
      return (flow) => flow.labels.some((l) => l.key === wanted.key && l.value === wanted.value);
    });
    const any = (flow: FlowSummary) => hits.some((hit) => hit(flow));
    return NEGATIVE.has(f.op) ? (flow) => !any(flow) : any;
  }
  const column = FLOW_COLUMNS.fields[f.field];
  if (!column)
    throw invalid(
      `Unknown filter field '${f.field}'; expected one of ${knownFields(FLOW_COLUMNS).join(", ")}`,
      `filters[${f.field}]`,
    );
  if (f.op === "REGEX") for (const v of f.values) checkRegex(v, `filters[${f.field}]`);
  const each = (flow: FlowSummary, v: string) => scalarMatch(fieldValue(flow, f.field), column.kind, f.op, v);
  return NEGATIVE.has(f.op)
    ? (flow) => f.values.every((v) => each(flow, v))
    : (flow) => f.values.some((v) => each(flow, v));
}

function compareBy(sort: readonly SearchSort[]): (a: FlowSummary, b: FlowSummary) => number {
  const keys = sort.map((s) => {
    const kind = FLOW_COLUMNS.fields[s.field]!.kind;
    const sign = s.desc ? -1 : 1;
    return (a: FlowSummary, b: FlowSummary) => {
      const x = fieldValue(a, s.field);
      const y = fieldValue(b, s.field);
      return sign * (kind === "number" ? Number(x) - Number(y) : byBytes(String(x), String(y)));
    };
  });
  return (a, b) => {
    for (const key of keys) {
      const order = key(a, b);
      if (order !== 0) return order;
    }
    return byBytes(a.namespace, b.namespace) || byBytes(a.id, b.id);
  };
}

/** The page of `flows` (latest, not deleted revisions) a search matches, with the total. */
export function searchFlowSummaries(flows: readonly FlowSummary[], query: SearchQuery): Page<FlowSummary> {
  const tests = (query.filters ?? []).map(filterTest);
  const sort = (query.sort ?? []).flatMap((s) => (typeof s === "string" ? parseSort([s], FLOW_COLUMNS) : [s]));
  // an object key is checked as a text one is
  parseSort(
    sort.map((s) => s.field),
    FLOW_COLUMNS,
  );
  const { limit, offset } = pageWindow(query.page, query.size);
  const found = flows.filter((flow) => tests.every((test) => test(flow))).sort(compareBy(sort));
  return { results: found.slice(offset, offset + limit), total: found.length };
}
