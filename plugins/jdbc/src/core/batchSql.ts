/**
 * The SQL of `Batch`: a statement with one `?` per bound value, as JDBC writes it. Placeholders
 * are found outside quotes and comments and numbered for the driver; the INSERT is generated from
 * `table` and `columns` when there is no `sql`; and a one-row `INSERT … VALUES (…)` is rewritten to
 * take many rows, so that a chunk reaches the server in a few statements rather than one per row
 * (what pgjdbc's `reWriteBatchedInserts` and Connector/J's `rewriteBatchedStatements` do).
 */
import { NonRetryableError } from "@saker/sdk";
import type { PlaceholderStyle } from "./parameters.ts";
import { skipNonCode } from "./sqlText.ts";

export interface BatchSql {
  /** The statement for one row, with the driver's placeholders (`$1` or `?`). */
  single: string;
  /** Placeholders in one row's statement. */
  parameters: number;
  /** The statement for `rows` rows; absent when the SQL cannot take several rows. */
  multi?: ((rows: number) => string) | undefined;
}

interface Mark {
  /** Which part of {@link Scan.parts} the character is in, and where in it. */
  part: number;
  offset: number;
}

interface Scan {
  /** The SQL cut at its placeholders: `parts.length` is the placeholder count plus one. */
  parts: string[];
  /** The first word, lower case. */
  verb: string;
  /** The `(` and `)` of the row after VALUES, when there is a single row. */
  tuple?: { open: Mark; close: Mark };
}

const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;

/** Skips spaces and comments from `i`. */
function skipBlank(sql: string, i: number, style: PlaceholderStyle): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    const c = sql[i];
    const comment = (c === "-" && sql[i + 1] === "-") || (c === "/" && sql[i + 1] === "*");
    if (!comment) return i;
    i = skipNonCode(sql, i, style);
  }
}

/** Cuts the SQL at its `?` (PostgreSQL: `??` is a literal `?`, as in pgjdbc) and finds the VALUES row. */
function scan(sql: string, style: PlaceholderStyle): Scan {
  const parts: string[] = [];
  let text = "";
  let verb = "";
  let depth = 0;
  let afterValues = false;
  let open: Mark | undefined;
  let close: Mark | undefined;
  let closeAt = -1;
  let i = 0;
  while (i < sql.length) {
    const skipped = skipNonCode(sql, i, style);
    if (skipped !== i) {
      text += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const c = sql[i]!;
    if (c === "?" && style.placeholder === "dollar" && sql[i + 1] === "?") {
      text += "?";
      i += 2;
      continue;
    }
    if (c === "?") {
      parts.push(text);
      text = "";
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? "")) {
      WORD.lastIndex = i;
      const word = WORD.exec(sql)![0];
      verb ||= word.toLowerCase();
      afterValues = depth === 0 && !open && /^values?$/i.test(word);
      text += word;
      i += word.length;
      continue;
    }
    if (c === "(") {
      if (afterValues) open = { part: parts.length, offset: text.length };
      depth++;
    } else if (c === ")") {
      depth--;
      if (depth === 0 && open && !close) {
        close = { part: parts.length, offset: text.length };
        closeAt = i;
      }
    }
    if (!/\s/.test(c)) afterValues = false;
    text += c;
    i++;
  }
  parts.push(text);
  const oneRow = open && close && sql[skipBlank(sql, closeAt + 1, style)] !== ",";
  return { parts, verb, ...(oneRow ? { tuple: { open: open!, close: close! } } : {}) };
}

/** The driver's placeholder for the `n`th value (1-based). */
const placeholder = (style: PlaceholderStyle, n: number): string => (style.placeholder === "dollar" ? `$${n}` : "?");

/**
 * Reads a Batch statement. It takes several rows when it is an INSERT (or MySQL REPLACE) with a
 * single `VALUES ( … )` row holding every placeholder; PostgreSQL's `ON CONFLICT … DO UPDATE` is
 * left one row per statement, since two rows of one statement may not update the same row.
 */
export function parseBatchSql(sql: string, style: PlaceholderStyle): BatchSql {
  const { parts, verb, tuple } = scan(sql, style);
  const n = parts.length - 1;
  let single = parts[0]!;
  for (let k = 1; k <= n; k++) single += placeholder(style, k) + parts[k]!;
  const insert = verb === "insert" || (verb === "replace" && style.placeholder === "question");
  // every placeholder must be inside the row: the "(" in the first part, the ")" in the last
  if (!insert || n === 0 || !tuple || tuple.open.part !== 0 || tuple.close.part !== n) return { single, parameters: n };
  const head = parts[0]!.slice(0, tuple.open.offset);
  const tail = parts[n]!.slice(tuple.close.offset + 1);
  if (style.placeholder === "dollar" && /\bdo\s+update\b/i.test(tail)) return { single, parameters: n };
  const row = [parts[0]!.slice(tuple.open.offset), ...parts.slice(1, n), parts[n]!.slice(0, tuple.close.offset + 1)];
  const built = new Map<number, string>();
  const multi = (rows: number): string => {
    const cached = built.get(rows);
    if (cached !== undefined) return cached;
    let out = head;
    for (let r = 0; r < rows; r++) {
      out += r === 0 ? row[0] : `, ${row[0]}`;
      for (let k = 1; k <= n; k++) out += placeholder(style, r * n + k) + row[k]!;
    }
    out += tail;
    if (built.size < 64) built.set(rows, out);
    return out;
  };
  return { single, parameters: n, multi };
}

const IDENTIFIER_PART = String.raw`("[^"]+"|\x60[^\x60]+\x60|[A-Za-z_][A-Za-z0-9_$]*)`;
const TABLE = new RegExp(`^${IDENTIFIER_PART}(\\.${IDENTIFIER_PART})?$`);

/** Checks `table` (optionally `schema.table`, parts optionally quoted) and returns it as written. */
export function checkTable(table: string): string {
  const trimmed = table.trim();
  if (!TABLE.test(trimmed))
    throw new NonRetryableError(
      `property 'table': '${table}' is not a table name (letters, digits, _ and $, optionally quoted and schema-qualified)`,
    );
  return trimmed;
}

/** `schema.table` as its two names, quotes removed. */
export function tableParts(table: string): { schema?: string; name: string } {
  const names = (checkTable(table).match(new RegExp(IDENTIFIER_PART, "g")) ?? []).map((p) =>
    /^["\x60]/.test(p) ? p.slice(1, -1) : p,
  );
  return names.length === 2 ? { schema: names[0]!, name: names[1]! } : { name: names[0]! };
}

/** `INSERT INTO table (c1, c2) VALUES (?, ?)`, each column written by `quote`. */
export function insertSql(table: string, columns: readonly string[], quote: (column: string) => string): string {
  return `INSERT INTO ${checkTable(table)} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
}
