/**
 * The filters, functions and tests an engine knows. Extensions (the engine's runtime functions,
 * plugins' filters) are added on top of the built-in ones.
 */
import type { CallArgs, CallContext } from "./evaluator.ts";

export interface FunctionDef {
  call(args: CallArgs, ctx: CallContext): unknown;
}

export interface FilterDef {
  call(input: unknown, args: CallArgs, ctx: CallContext): unknown;
  /** The filter receives `undefined` instead of failing on an undefined input (`default`). */
  acceptsUndefined?: boolean;
}

export interface TestDef {
  call(input: unknown, args: CallArgs, ctx: CallContext): boolean;
  /** An undefined input makes the test false instead of an error (`defined`). */
  acceptsUndefined?: boolean;
}

/** Filters, functions and tests to add to an engine, by name. */
export interface ExpressionExtensions {
  functions?: Readonly<Record<string, FunctionDef>>;
  filters?: Readonly<Record<string, FilterDef>>;
  tests?: Readonly<Record<string, TestDef>>;
}

export interface Registry {
  functions: ReadonlyMap<string, FunctionDef>;
  filters: ReadonlyMap<string, FilterDef>;
  tests: ReadonlyMap<string, TestDef>;
}

export function extendRegistry(base: Registry | undefined, extensions: ExpressionExtensions): Registry {
  return {
    functions: new Map([...(base?.functions ?? []), ...Object.entries(extensions.functions ?? {})]),
    filters: new Map([...(base?.filters ?? []), ...Object.entries(extensions.filters ?? {})]),
    tests: new Map([...(base?.tests ?? []), ...Object.entries(extensions.tests ?? {})]),
  };
}
