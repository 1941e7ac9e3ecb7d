/**
 * The filters, functions and tests an engine knows. Extensions (the engine's runtime functions,
 * plugins' filters) are added on top of the built-in ones.
 */
import type { Abortable } from "../model/killSwitch.ts";
import type { RenderLimits } from "./limits.ts";

/** What extension callbacks receive. */
export interface CallContext {
  /** The render's variables. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Runtime services given by the caller (the engine puts its runtime services here). */
  readonly services: Readonly<Record<string, unknown>>;
  readonly limits: RenderLimits;
  /**
   * Aborts asynchronous work of the render (a task's kill or timeout). A task run's KillSwitch
   * makes its AbortSignal only when asked: `signalOf(ctx.signal)` where one is needed.
   */
  readonly signal: Abortable | undefined;
  /** Throws when the render has used up its time budget; long-running filters call it as they go. */
  checkBudget(): void;
  /** The memoised result of an asynchronous load; see `renderAsync`. */
  resolve<T>(key: string, load: () => Promise<T>): T;
  /** Renders a template with the same variables and services (for `render()`). */
  render(template: string, vars?: Record<string, unknown>): string;
  /** Renders a block of this template by name. */
  renderBlock(name: string): string;
}

export interface CallArgs {
  readonly positional: readonly unknown[];
  readonly named: Readonly<Record<string, unknown>>;
  /** The argument named `name`, or the positional one at `index`. */
  get(name: string, index: number): unknown;
  has(name: string, index: number): boolean;
}

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
