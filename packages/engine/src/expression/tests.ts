/** Pebble's tests (defined, empty, even, odd, iterable, map, null) and Kestra's json test. */
import { EvalError } from "./errors.ts";
import { describe } from "./evaluator.ts";
import { isEmpty } from "./filters/collections.ts";
import { parseJson } from "./json.ts";
import type { TestDef } from "./registry.ts";
import { isFloating, isMap, isNumeric, num } from "./values.ts";

function integer(input: unknown, name: string): number {
  if (!isNumeric(input) || isFloating(input))
    throw new EvalError(`the '${name}' test needs an integer, got ${describe(input)}`);
  return num(input);
}

export const builtinTests: Record<string, TestDef> = {
  defined: { call: (input) => input !== null && input !== undefined, acceptsUndefined: true },
  null: { call: (input) => input === null || input === undefined },
  empty: { call: (input) => isEmpty(input) },
  even: { call: (input) => integer(input, "even") % 2 === 0 },
  odd: { call: (input) => Math.abs(integer(input, "odd") % 2) === 1 },
  // Java: a List is Iterable, a Map is not.
  iterable: { call: (input) => Array.isArray(input) },
  map: { call: (input) => isMap(input) },
  // Kestra's json test is Jackson's readTree: any JSON value, the first one only (trailing text is
  // ignored), and blank text (a MissingNode) count; a value that is not a string is an error.
  json: {
    call: (input) => {
      if (typeof input !== "string") throw new EvalError(`the 'json' test needs a string, got ${describe(input)}`);
      if (input.trim() === "") return true;
      try {
        parseJson(input, { allowTrailing: true });
        return true;
      } catch {
        return false;
      }
    },
  },
};
