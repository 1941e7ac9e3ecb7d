/**
 * Named parameters: `:name` placeholders in the SQL become the driver's positional placeholders
 * (`$1` or `?`) and the values are bound by the driver, never written into the SQL. Quoted text,
 * comments and PostgreSQL casts (`value::int`) are left untouched.
 */
import { NonRetryableError } from "@saker/sdk";
import { skipNonCode, type SqlSyntax } from "./sqlText.ts";

export interface BoundSql {
  sql: string;
  values: unknown[];
}

export interface PlaceholderStyle extends SqlSyntax {
  /** `$n`: one number per name (PostgreSQL); `?`: one per occurrence. */
  placeholder: "dollar" | "question";
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Replaces each `:name` with a placeholder and lists the values in binding order. Without
 * `parameters` the SQL is returned as written, as Kestra does.
 *
 * @throws NonRetryableError when the SQL names a parameter that `parameters` does not hold.
 */
export function bindParameters(
  sql: string,
  parameters: Readonly<Record<string, unknown>> | undefined,
  style: PlaceholderStyle,
): BoundSql {
  if (!parameters) return { sql, values: [] };
  const values: unknown[] = [];
  const numbers = new Map<string, number>();
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const skipped = skipNonCode(sql, i, style);
    if (skipped !== i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const c = sql[i]!;
    if (c === ":" && sql[i + 1] === ":") {
      out += "::";
      i += 2;
      continue;
    }
    if (c === ":" && sql[i + 1] !== "=" && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? "")) {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(sql);
      if (m) {
        const name = m[0];
        if (!Object.hasOwn(parameters, name)) {
          const known = Object.keys(parameters);
          throw new NonRetryableError(
            `the SQL uses parameter ':${name}' but 'parameters' has no value for it${known.length ? ` (it has: ${known.join(", ")})` : ""}`,
          );
        }
        out += placeholderFor(name, parameters[name], style, values, numbers);
        i = NAME.lastIndex;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { sql: out, values };
}

function placeholderFor(
  name: string,
  value: unknown,
  style: PlaceholderStyle,
  values: unknown[],
  numbers: Map<string, number>,
): string {
  if (style.placeholder === "question") {
    values.push(value);
    return "?";
  }
  let n = numbers.get(name);
  if (n === undefined) {
    values.push(value);
    n = values.length;
    numbers.set(name, n);
  }
  return `$${n}`;
}
