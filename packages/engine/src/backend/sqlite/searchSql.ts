/**
 * Searches compiled for SQLite: its dialect (GLOB for the prefix and suffix matches, which are
 * case-sensitive where LIKE is not) and the SQL functions its conditions call, registered once
 * per connection.
 */
import { parseDuration } from "@saker/sdk";
import { userRegex } from "../../model/regex.ts";
import {
  compareValues,
  compileSearch,
  type CompiledSearch,
  type SearchColumns,
  type SearchDialect,
  type SearchQuery,
} from "../search.ts";
import type { SqliteDatabase } from "./database.ts";
import { globEscape } from "../like.ts";

const SQLITE_DIALECT: SearchDialect = {
  placeholder: () => "?",
  true: "1",
  false: "0",
  startsWith: (sql, value, bind) => `${sql} GLOB ${bind(`${globEscape(value)}*`)}`,
  endsWith: (sql, value, bind) => `${sql} GLOB ${bind(`*${globEscape(value)}`)}`,
  icontains: (sql, value, bind) => `saker_icontains(${sql}, ${bind(value)})`,
  regex: (sql, pattern, bind) => `saker_regex(${sql}, ${bind(pattern)})`,
  compare: (sql, cmp, value, bind) => `saker_compare(${sql}, ${bind(value)}) ${cmp} 0`,
  durationMs: (sql) => `saker_duration_ms(${sql})`,
  sortKey: (sql, _kind, desc) => `${sql} ${desc ? "DESC" : "ASC"}`,
  anyLabel: (sql, condition) =>
    `EXISTS (SELECT 1 FROM json_each(${sql}) AS l WHERE ${condition("json_extract(l.value, '$.key')", "json_extract(l.value, '$.value')")})`,
};

const registered = new WeakSet<SqliteDatabase>();

/** The SQL functions the compiled conditions call; registered once per connection. */
function registerSearchFunctions(db: SqliteDatabase): void {
  if (registered.has(db)) return;
  registered.add(db);
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  db.function("saker_icontains", { deterministic: true }, (hay: unknown, needle: unknown) => {
    const h = text(hay);
    return h !== null && h.toLowerCase().includes(String(needle).toLowerCase()) ? 1 : 0;
  });
  db.function("saker_regex", { deterministic: true }, (value: unknown, pattern: unknown) => {
    const v = text(value);
    if (v === null) return 0;
    // userRegex keeps the compiled patterns (its own LRU)
    return userRegex(String(pattern)).test(v) ? 1 : 0;
  });
  db.function("saker_compare", { deterministic: true }, (a: unknown, b: unknown) => {
    const x = text(a);
    return x === null ? null : compareValues(x, String(b));
  });
  db.function("saker_duration_ms", { deterministic: true }, (value: unknown) => {
    const v = text(value);
    if (v === null) return null;
    try {
      return parseDuration(v);
    } catch {
      return v;
    }
  });
}

/** A search compiled for SQLite on `db`, whose functions it registers first. */
export function compileSqliteSearch(db: SqliteDatabase, columns: SearchColumns, query: SearchQuery): CompiledSearch {
  registerSearchFunctions(db);
  return compileSearch(columns, query, { dialect: SQLITE_DIALECT });
}
