/**
 * JSON as Kestra's Jackson mapper writes it (compact, non-ASCII kept, null map entries dropped,
 * doubles printed as Java does) and a reader that keeps Java's integer/double distinction.
 */
import { dataLimits, FORBIDDEN_KEYS } from "../model/dataLimits.ts";
import { EvalError } from "./errors.ts";
import { isMap, isNumeric, JavaNumber, jdouble, JChar, numberToString } from "./values.ts";

export function toJson(value: unknown, dropNullMapValues = true): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (isNumeric(value)) {
    const n = typeof value === "number" ? value : Number(value.value);
    if (!Number.isFinite(n)) return JSON.stringify(String(n));
    return numberToString(value);
  }
  if (value instanceof JChar) return JSON.stringify(value.char);
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v, dropNullMapValues)).join(",")}]`;
  if (isMap(value)) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (dropNullMapValues && (v === null || v === undefined)) continue;
      parts.push(`${JSON.stringify(k)}:${toJson(v, dropNullMapValues)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(String(value));
}

/**
 * Parses JSON; a number with a fraction or an exponent is a Double, others Integer/Long. The
 * data limits apply: nesting depth, and no `__proto__`, `constructor` or `prototype` key.
 */
export function parseJson(text: string, options: { allowTrailing?: boolean } = {}): unknown {
  let i = 0;
  let depth = 0;
  const { maxDepth } = dataLimits();
  const fail = (what: string): never => {
    throw new EvalError(`Invalid JSON at position ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if ((c === "{" || c === "[") && depth >= maxDepth)
      fail(`nested deeper than ${maxDepth} levels (limit maxDepth = ${maxDepth})`);
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const key = string();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        if (FORBIDDEN_KEYS.has(key)) fail(`the key '${key}' is not allowed`);
        depth++;
        obj[key] = value();
        depth--;
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const list: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return list;
      }
      for (;;) {
        depth++;
        list.push(value());
        depth--;
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return list;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith("true", i)) return ((i += 4), true);
    if (text.startsWith("false", i)) return ((i += 5), false);
    if (text.startsWith("null", i)) return ((i += 4), null);
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail(`unexpected ${c === undefined ? "end" : `'${c}'`}`);
    i += m[0].length;
    if (m[2] || m[3]) return jdouble(Number(m[0]));
    const n = Number(m[0]);
    if (!Number.isSafeInteger(n)) return new JavaNumber(BigInt(m[0]), "Long");
    return Math.abs(n) <= 2147483647 ? new JavaNumber(n, "Integer") : n;
  };
  const string = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const ch = text[i];
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') break;
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const result = value();
  ws();
  if (i < text.length && !options.allowTrailing) fail("unexpected trailing text");
  return result;
}
