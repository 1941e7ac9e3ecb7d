/**
 * Searches (`search.ts`: the filters' checks and meaning) compiled for PostgreSQL: `$n`
 * placeholders, built-in functions in place of SQLite's registered ones, text compared and sorted
 * by bytes (`COLLATE "C"`) and NULLs placed as SQLite places them, so both backends answer alike.
 */
import { SakerError } from "@saker/sdk";
import type { SearchDialect } from "../search.ts";
import { executionColumns, flowColumns } from "../searchColumns.ts";
import { likeSuffix } from "../like.ts";

/** A number as `Number()` reads it (not hex, not Infinity: what a user types). */
const NUMBER_TEXT = String.raw`'^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$'`;

export const POSTGRES_DIALECT: SearchDialect = {
  placeholder: (n) => `$${n}`,
  true: "TRUE",
  false: "FALSE",
  // text functions on a number column too, as SQLite applies them to its text
  startsWith: (sql, value, bind) => `starts_with((${sql})::text, ${bind(value)}::text)`,
  endsWith: (sql, value, bind) => `(${sql})::text LIKE ${bind(likeSuffix(value))}::text ESCAPE '\\'`,
  icontains: (sql, value, bind) => `strpos(lower((${sql})::text), lower(${bind(value)}::text)) > 0`,
  regex: (sql, pattern, bind) => `(${sql})::text ~ ${bind(pattern)}::text`,
  // numbers as numbers when both sides are, else text by bytes (as SQLite's `saker_compare`)
  compare: (sql, cmp, value, bind) => {
    const text = `(${sql})::text`;
    if (value.trim() !== "" && !Number.isNaN(Number(value)))
      return `(CASE WHEN ${text} ~ ${NUMBER_TEXT} THEN (${text})::double precision ${cmp} ${bind(Number(value))}::double precision ELSE ${text} COLLATE "C" ${cmp} ${bind(value)}::text END)`;
    return `${text} COLLATE "C" ${cmp} ${bind(value)}::text`;
  },
  durationMs: (sql) => `(CASE WHEN (${sql}) ~ '^-?P' THEN EXTRACT(EPOCH FROM (${sql})::interval) END)`,
  sortKey: (sql, kind, desc) =>
    `${sql}${kind === "text" || kind === "date" ? ' COLLATE "C"' : ""} ${desc ? "DESC NULLS LAST" : "ASC NULLS FIRST"}`,
  anyLabel: (sql, condition) =>
    `EXISTS (SELECT 1 FROM json_array_elements(${sql}) AS l WHERE ${condition("(l->>'key')", "(l->>'value')")})`,
};

/** The executions' search fields over PostgreSQL's `executions` row (its summary as `json`). */
export const PG_EXECUTION_COLUMNS = executionColumns({
  summaryPath: (...path) => `((summary::json) #>> '{${path.join(",")}}')`,
  labels: "(CASE WHEN json_typeof((summary::json) -> 'labels') = 'array' THEN (summary::json) -> 'labels' END)",
  naturalOrder: `start_date COLLATE "C" DESC, row_seq DESC`,
});

/** The flows' search fields over PostgreSQL's `flows` row (`disabled` a boolean, labels JSON text). */
export const PG_FLOW_COLUMNS = flowColumns({
  disabled: "CASE WHEN f.disabled THEN 'true' ELSE 'false' END",
  labels: "(f.labels::json)",
  naturalOrder: `f.namespace COLLATE "C", f.id COLLATE "C"`,
});

/**
 * A value the database could not take as the column's type (`flowRevision` = `abc`) or a
 * pattern PostgreSQL's regular expressions refuse: the search's fault, not the server's.
 */
export function searchError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === "22P02" || code === "2201B" || code === "22007" || code === "22008")
    return new SakerError("SEARCH_INVALID", `Invalid search: ${(error as Error).message}`);
  return error;
}
