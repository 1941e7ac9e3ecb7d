/**
 * Reading SQL text just enough to find what is code and what is not: quoted strings, quoted
 * identifiers, comments and PostgreSQL's dollar-quoted bodies are skipped whole, so a `;` or a
 * `:name` inside them is left alone.
 */

export interface SqlSyntax {
  /** MySQL: a backslash escapes the next character inside '…' and "…". */
  backslashEscapes?: boolean;
  /** MySQL: `identifier` quoting. */
  backticks?: boolean;
  /** PostgreSQL and DuckDB: $tag$ … $tag$ bodies. */
  dollarQuotes?: boolean;
}

/** The index just past the quoted run starting at `start` (which holds the quote character). */
function skipQuoted(sql: string, start: number, quote: string, syntax: SqlSyntax): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "\\" && syntax.backslashEscapes && quote !== "`") i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/**
 * Where the non-code run starting at `i` ends, or `i` itself when `i` starts code. Covers
 * quotes, `--` and `/* *\/` comments and dollar quotes.
 */
export function skipNonCode(sql: string, i: number, syntax: SqlSyntax): number {
  const c = sql[i];
  if (c === "'" || c === '"' || (c === "`" && syntax.backticks)) return skipQuoted(sql, i, c, syntax);
  if (c === "-" && sql[i + 1] === "-") {
    const end = sql.indexOf("\n", i);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === "#" && syntax.backticks) {
    const end = sql.indexOf("\n", i);
    return end < 0 ? sql.length : end + 1;
  }
  if (c === "/" && sql[i + 1] === "*") {
    const end = sql.indexOf("*/", i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  if (c === "$" && syntax.dollarQuotes) {
    DOLLAR_TAG.lastIndex = i;
    const m = DOLLAR_TAG.exec(sql);
    // `$1` is a positional parameter, not a tag; a tag must not follow an identifier character.
    if (m && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
      const end = sql.indexOf(m[0], i + m[0].length);
      return end < 0 ? sql.length : end + m[0].length;
    }
  }
  return i;
}

/** Splits a script on `;` outside quotes and comments; blank statements are dropped. */
export function splitStatements(sql: string, syntax: SqlSyntax): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const skipped = skipNonCode(sql, i, syntax);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (sql[i] === ";") {
      statements.push(sql.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  statements.push(sql.slice(start));
  return statements.map((s) => s.trim()).filter((s) => s !== "" && !isOnlyComments(s, syntax));
}

function isOnlyComments(statement: string, syntax: SqlSyntax): boolean {
  let i = 0;
  while (i < statement.length) {
    if (/\s/.test(statement[i]!)) {
      i++;
      continue;
    }
    const c = statement[i];
    const isComment =
      (c === "-" && statement[i + 1] === "-") ||
      (c === "/" && statement[i + 1] === "*") ||
      (c === "#" && syntax.backticks);
    if (!isComment) return false;
    i = skipNonCode(statement, i, syntax);
  }
  return true;
}
