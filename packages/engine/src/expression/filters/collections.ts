/** Collection filters: first, last, join, length, slice, sort, merge, split, keys, values, flatten, chunk… */
import { EvalError } from "../errors.ts";
import { checkCollectionSize, describe, setKey } from "../evaluator.ts";
import type { FilterDef } from "../registry.ts";
import { compareNatural, equals, isMap, JChar, javaToString } from "../values.ts";
import { eachMatch } from "../regex.ts";
import { asText, filter, intArg, stringArg } from "./helpers.ts";

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (isMap(value)) return Object.keys(value).length === 0;
  return false;
}

/** Java's String.split: a regular expression, trailing empty strings removed unless a limit is given. */
function javaSplit(text: string, delimiter: string, limit: number, tick: () => void): string[] {
  const parts: string[] = [];
  let last = 0;
  let matched = false;
  eachMatch(
    delimiter,
    text,
    (start, end) => {
      if (end === start && (start === 0 || start >= text.length)) return true;
      if (limit > 0 && parts.length === limit - 1) return false;
      matched = true;
      parts.push(text.slice(last, start));
      last = end;
      return true;
    },
    tick,
  );
  if (!matched) return [text];
  parts.push(text.slice(last));
  if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function flattenDeep(list: unknown[]): unknown[] {
  return list.flatMap((item) => (Array.isArray(item) ? flattenDeep(item) : [item]));
}

export const collectionFilters: Record<string, FilterDef> = {
  first: filter((input) => {
    if (typeof input === "string") return input.length ? new JChar(input[0]!) : null;
    if (Array.isArray(input)) return input.length ? input[0] : null;
    if (isMap(input)) return Object.values(input)[0] ?? null;
    return null;
  }),
  last: filter((input) => {
    if (typeof input === "string") return input.length ? new JChar(input[input.length - 1]!) : null;
    if (Array.isArray(input)) return input.length ? input[input.length - 1] : null;
    if (isMap(input)) return Object.values(input).pop() ?? null;
    return null;
  }),
  join: filter((input, args) => {
    if (input === null || input === undefined) return null;
    if (!Array.isArray(input)) throw new EvalError(`join needs a list, got ${describe(input)}`);
    return input.map((i) => (i === null ? "null" : javaToString(i))).join(stringArg(args, "separator", 0, ""));
  }),
  length: filter((input) => {
    if (typeof input === "string") return input.length;
    if (Array.isArray(input)) return input.length;
    if (isMap(input)) return Object.keys(input).length;
    return 0;
  }),
  slice: filter((input, args) => {
    if (input === null || input === undefined) return null;
    const length = typeof input === "string" ? input.length : Array.isArray(input) ? input.length : -1;
    if (length < 0) throw new EvalError(`slice needs a list or a string, got ${describe(input)}`);
    const from = intArg(args, "fromIndex", 0, 0);
    const to = intArg(args, "toIndex", 1, length);
    if (from < 0 || to > length || from > to) throw new EvalError(`slice(${from}, ${to}) is out of bounds for a length of ${length}`);
    return (input as string | unknown[]).slice(from, to);
  }),
  sort: filter((input) => {
    if (!Array.isArray(input)) throw new EvalError(`sort needs a list, got ${describe(input)}`);
    return [...input].sort(compareNatural);
  }),
  rsort: filter((input) => {
    if (!Array.isArray(input)) throw new EvalError(`rsort needs a list, got ${describe(input)}`);
    return [...input].sort(compareNatural).reverse();
  }),
  reverse: filter((input) => {
    if (Array.isArray(input)) return [...input].reverse();
    if (typeof input === "string") return [...input].reverse().join("");
    if (input === null || input === undefined) return null;
    throw new EvalError(`reverse needs a list, got ${describe(input)}`);
  }),
  merge: filter((input, args, ctx) => {
    const other = args.get("items", 0);
    if (Array.isArray(input)) {
      const more = Array.isArray(other) ? other : isMap(other) ? Object.values(other) : [other];
      checkCollectionSize(input.length + more.length, ctx.limits);
      return [...input, ...more];
    }
    if (isMap(input)) {
      if (!isMap(other)) throw new EvalError(`merge of a map needs a map, got ${describe(other)}`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of [...Object.entries(input), ...Object.entries(other)]) setKey(out, k, v);
      return out;
    }
    throw new EvalError(`merge needs a list or a map, got ${describe(input)}`);
  }),
  split: filter((input, args, ctx) => {
    if (input === null || input === undefined) return null;
    const limit = args.has("limit", 1) ? intArg(args, "limit", 1) : 0;
    return javaSplit(asText(input), stringArg(args, "delimiter", 0), limit, ctx.checkBudget);
  }),
  keys: filter((input) => {
    if (Array.isArray(input)) return input.map((_, i) => i);
    if (isMap(input)) return Object.keys(input);
    throw new EvalError(`keys needs a map or a list, got ${describe(input)}`);
  }),
  values: filter((input) => {
    if (isMap(input)) return Object.values(input);
    throw new EvalError(`values needs a map, got ${describe(input)}`);
  }),
  flatten: filter((input) => {
    if (!Array.isArray(input)) throw new EvalError(`flatten needs a list, got ${describe(input)}`);
    return flattenDeep(input);
  }),
  chunk: filter((input, args) => {
    if (!Array.isArray(input)) throw new EvalError(`chunk needs a list, got ${describe(input)}`);
    const size = intArg(args, "size", 0);
    if (size <= 0) throw new EvalError("chunk size must be positive");
    const chunks: unknown[][] = [];
    for (let i = 0; i < input.length; i += size) chunks.push(input.slice(i, i + size));
    return chunks;
  }),
  distinct: filter((input) => {
    if (!Array.isArray(input)) throw new EvalError(`distinct needs a list, got ${describe(input)}`);
    const out: unknown[] = [];
    for (const item of input) if (!out.some((o) => equals(o, item))) out.push(item);
    return out;
  }),
  default: filter((input, args) => (isEmpty(input) ? args.get("default", 0) : input), true),
};

export { isEmpty };
