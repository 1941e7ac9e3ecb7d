import { EvalError } from "../errors.ts";
import type { CallArgs, CallContext } from "../registry.ts";
import { describe } from "../evaluator.ts";
import type { FilterDef } from "../registry.ts";
import { isFloating, isNumeric, javaToString, num } from "../values.ts";

export type FilterFn = (input: unknown, args: CallArgs, ctx: CallContext) => unknown;

/** A filter from a plain function of (input, args, ctx). */
export function filter(fn: FilterFn, acceptsUndefined = false): FilterDef {
  return { call: (input, args, ctx) => fn(input, args, ctx), acceptsUndefined };
}

/** The input of a filter that casts it to a Java String: anything else (a number, a character) is an error. */
export function stringInput(value: unknown, filterName: string): string {
  if (typeof value === "string") return value;
  throw new EvalError(`the '${filterName}' filter needs a string, got ${describe(value)}`);
}

/** Strings pass, numbers and characters become their text (Pebble's string coercion). */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return javaToString(value);
}

export function intArg(args: CallArgs, name: string, index: number, fallback?: number): number {
  const value = args.get(name, index);
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new EvalError(`the argument '${name}' is required`);
  }
  if (isNumeric(value)) return Math.trunc(num(value));
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
  throw new EvalError(`the argument '${name}' must be a number, got ${describe(value)}`);
}

export function stringArg(args: CallArgs, name: string, index: number, fallback?: string): string {
  const value = args.get(name, index);
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new EvalError(`the argument '${name}' is required`);
  }
  return asText(value);
}

/** An argument Kestra casts to Long: a whole number (a Double or a numeric text is a ClassCastException there). */
export function longArg(args: CallArgs, name: string, index: number, fallback?: number): number {
  const value = args.get(name, index);
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new EvalError(`the argument '${name}' is required`);
  }
  if (isNumeric(value) && !isFloating(value)) return num(value);
  throw new EvalError(`the argument '${name}' must be a whole number, got ${describe(value)}`);
}

/** An argument Pebble casts to Number (any number, truncated as intValue() does). */
export function numberArg(args: CallArgs, name: string, index: number): number | undefined {
  const value = args.get(name, index);
  if (value === undefined || value === null) return undefined;
  if (isNumeric(value)) return Math.trunc(num(value));
  throw new EvalError(`the argument '${name}' must be a number, got ${describe(value)}`);
}

/** An argument cast to String: null when absent or null, an error for any other type. */
export function castString(args: CallArgs, name: string, index: number): string | null {
  const value = args.get(name, index);
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  throw new EvalError(`the argument '${name}' must be a string, got ${describe(value)}`);
}
