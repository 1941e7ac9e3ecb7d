/** Collection filters: first, last, join, length, slice, sort, merge, split, keys, values, flatten, chunk… */
import { EvalError } from "../errors.ts";
import { checkCollectionSize, describe, setKey } from "../evaluator.ts";
import type { CallContext } from "../registry.ts";
import type { FilterDef } from "../registry.ts";
import { compareNatural, equals, isMap, JChar, javaClassName, javaToString } from "../values.ts";
import { eachMatch } from "../../model/regex.ts";
import { castString, filter, longArg, numberArg, stringInput } from "./helpers.ts";
import { hashMapOrder, javaHash } from "./javaHashMap.ts";

/** Pebble's EmptyTest (the `default` filter and the `empty` test). */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  // Java's String.trim: characters up to U+0020 only (a no-break space is not blank)
  if (typeof value === "string") return /^[\u0000-\u0020]*$/.test(value);
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

/**
 * A copy of a list Java can sort: items of one Comparable class (String, Boolean, Character, or
 * one number type), no null; anything else is a ClassCastException or NullPointerException there.
 */
function comparable(input: unknown, name: string): unknown[] {
  if (!Array.isArray(input)) throw new EvalError(`${name} needs a list, got ${describe(input)}`);
  let kind: string | null = null;
  for (const item of input) {
    if (item === null || item === undefined) throw new EvalError(`${name} cannot order a list holding null`);
    const itemKind = Array.isArray(item) || isMap(item) ? null : javaClassName(item);
    if (itemKind === null) throw new EvalError(`${name} cannot order ${describe(item)}`);
    if (kind !== null && itemKind !== kind)
      throw new EvalError(
        `${name} cannot order a ${kind.replace(/^java\.\w+\./, "")} against a ${itemKind.replace(/^java\.\w+\./, "")}`,
      );
    kind = itemKind;
  }
  return [...input];
}

/** Pebble's first/last: a character of a string (an empty one is an error), an item of a list. */
function edge(input: unknown, name: string, index: 0 | -1): unknown {
  if (input === null || input === undefined) return null;
  if (typeof input === "string") {
    if (input.length === 0) throw new EvalError(`${name} of an empty string`);
    return new JChar(input.at(index)!);
  }
  if (Array.isArray(input)) return input.length ? input.at(index) : null;
  throw new EvalError(`${name} needs a list or a string, got ${describe(input)}`);
}

/**
 * Pebble's merge: the left side gives the result's type. A list takes a list's items or a map's
 * entries (each a one-entry map); a map takes a map's entries or a list's items as keys mapped to
 * themselves, in a HashMap (so in hash order).
 */
function merge(input: unknown, items: unknown, limits: CallContext["limits"]): unknown {
  if (input === null || input === undefined) {
    if (items === null || items === undefined) throw new EvalError("merge of two null values");
    return items;
  }
  if (items === null || items === undefined) return input;
  if (Array.isArray(input)) {
    let more: unknown[];
    if (Array.isArray(items)) more = items;
    else if (isMap(items)) more = Object.entries(items).map(([k, v]) => ({ [k]: v }));
    else throw new EvalError(`merge of a list needs a list or a map, got ${describe(items)}`);
    checkCollectionSize(input.length + more.length, limits);
    return [...input, ...more];
  }
  if (isMap(input)) {
    const added: [string, unknown, unknown][] = [];
    if (isMap(items)) for (const [k, v] of Object.entries(items)) added.push([k, k, v]);
    else if (Array.isArray(items)) for (const item of items) added.push([javaToString(item), item, item]);
    else throw new EvalError(`merge of a map needs a map or a list, got ${describe(items)}`);
    const entries = new Map<string, { hashKey: unknown; value: unknown }>();
    for (const [k, v] of Object.entries(input)) entries.set(k, { hashKey: k, value: v });
    for (const [k, hashKey, value] of added) {
      const existing = entries.get(k);
      entries.set(k, { hashKey: existing?.hashKey ?? hashKey, value });
    }
    checkCollectionSize(entries.size, limits);
    const capacity = Object.keys(input).length + added.length + 16;
    const out: Record<string, unknown> = {};
    for (const k of hashMapOrder([...entries.keys()], capacity, (key) => javaHash(entries.get(key)!.hashKey)))
      setKey(out, k, entries.get(k)!.value);
    return out;
  }
  throw new EvalError(`merge needs a list or a map, got ${describe(input)}`);
}

export const collectionFilters: Record<string, FilterDef> = {
  first: filter((input) => edge(input, "first", 0)),
  last: filter((input) => edge(input, "last", -1)),
  join: filter((input, args) => {
    if (input === null || input === undefined) return null;
    if (!Array.isArray(input)) throw new EvalError(`join needs a list, got ${describe(input)}`);
    return input.map((i) => (i === null ? "null" : javaToString(i))).join(castString(args, "separator", 0) ?? "");
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
    const from = numberArg(args, "fromIndex", 0) ?? 0;
    const to = numberArg(args, "toIndex", 1) ?? length;
    // Pebble refuses an empty slice when toIndex is given (`from >= to`), not when it is the default
    const empty = args.get("toIndex", 1) !== undefined && args.get("toIndex", 1) !== null && from >= to;
    if (from < 0 || to > length || from > to || empty)
      throw new EvalError(`slice(${from}, ${to}) is out of bounds for a length of ${length}`);
    return (input as string | unknown[]).slice(from, to);
  }),
  sort: filter((input) =>
    input === null || input === undefined ? null : comparable(input, "sort").sort(compareNatural),
  ),
  rsort: filter((input) =>
    input === null || input === undefined ? null : comparable(input, "rsort").sort((a, b) => compareNatural(b, a)),
  ),
  reverse: filter((input) => {
    if (Array.isArray(input)) return [...input].reverse();
    if (input === null || input === undefined) return null;
    throw new EvalError(`reverse needs a list, got ${describe(input)}`);
  }),
  merge: filter((input, args, ctx) => merge(input, args.get("items", 0), ctx.limits)),
  split: filter((input, args, ctx) => {
    if (input === null || input === undefined) return null;
    const limit = numberArg(args, "limit", 1) ?? 0;
    const delimiter = castString(args, "delimiter", 0);
    if (delimiter === null) throw new EvalError("the 'split' filter needs a delimiter");
    return javaSplit(stringInput(input, "split"), delimiter, limit, ctx.checkBudget);
  }),
  keys: filter((input) => {
    if (input === null || input === undefined) return null;
    if (Array.isArray(input)) return input.map((_, i) => i);
    if (isMap(input)) return Object.keys(input);
    throw new EvalError(`keys needs a map or a list, got ${describe(input)}`);
  }),
  values: filter((input) => {
    if (input === null || input === undefined) return null;
    if (isMap(input)) return Object.values(input);
    throw new EvalError(`values needs a map, got ${describe(input)}`);
  }),
  flatten: filter((input) => {
    if (input === null || input === undefined) return null;
    if (!Array.isArray(input)) throw new EvalError(`flatten needs a list, got ${describe(input)}`);
    // one level, as Kestra's FlattenFilter: nested lists inside the items stay lists
    return input.flatMap((item) => (Array.isArray(item) ? item : [item]));
  }),
  chunk: filter((input, args) => {
    if (input === null || input === undefined) return null;
    if (!Array.isArray(input)) throw new EvalError(`chunk needs a list, got ${describe(input)}`);
    const size = longArg(args, "size", 0);
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
