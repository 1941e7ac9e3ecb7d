/**
 * Saker's expression language: Pebble as Kestra configures it (strict variables, no
 * auto-escaping, no newline trimming), with Kestra's filters, functions, tests and the `??` /
 * `???` operators.
 *
 * ```ts
 * renderTemplate("Hello {{ name | upper }}", { name: "world" });        // "Hello WORLD"
 * renderTemplate("{{ [1, 2] }}", {}, { typed: true });                    // [1, 2]
 * const engine = defaultEngine.extend({ functions: { answer: { call: () => 42 } } });
 * ```
 *
 * Extensions: a function is `{ call(args, ctx) }`, a filter `{ call(input, args, ctx) }`, a test
 * `{ call(input, args, ctx) → boolean }`. `args.get(name, index)` reads a named argument or the
 * positional one at `index`. `ctx.services` holds what the caller passed as `services`;
 * `ctx.resolve(key, load)` returns an asynchronous value loaded by `renderAsync`.
 */
import { createEngine, type ExpressionEngine, type RenderOptions } from "./engine.ts";
import { collectionFilters } from "./filters/collections.ts";
import { dateFilters } from "./filters/dates.ts";
import { hashFilters } from "./filters/hashes.ts";
import { numberFilters } from "./filters/numbers.ts";
import { serializeFilters } from "./filters/serialize.ts";
import { stringFilters } from "./filters/strings.ts";
import { coreFunctions } from "./functions/core.ts";
import { fileFunctions } from "./functions/files.ts";
import { calendarFunctions } from "./functions/calendar.ts";
import { portFunctions } from "./functions/ports.ts";
import { extendRegistry, type ExpressionExtensions } from "./registry.ts";
import { builtinTests } from "./tests.ts";

export { ExpressionError } from "./errors.ts";
export type { ExpressionEngine, RenderOptions } from "./engine.ts";
export type { ExpressionExtensions, FilterDef, FunctionDef, TestDef } from "./registry.ts";
export type { CallArgs, CallContext } from "./registry.ts";
export { DEFAULT_LIMITS, type RenderLimits } from "./limits.ts";
export { toJson } from "./json.ts";
export { toIonText, fromIonText, fromIonLines } from "./ion.ts";
export { closeJqThreads } from "./jqThreads.ts";
export { RegexError, userRegex, fullMatch } from "../model/regex.ts";

const BUILTINS: ExpressionExtensions = {
  filters: {
    ...stringFilters,
    ...collectionFilters,
    ...numberFilters,
    ...hashFilters,
    ...serializeFilters,
    ...dateFilters,
  },
  functions: { ...coreFunctions, ...fileFunctions, ...calendarFunctions, ...portFunctions },
  tests: builtinTests,
};

/** An engine with the built-ins and `extensions`. */
export function createExpressionEngine(extensions: ExpressionExtensions = {}): ExpressionEngine {
  return createEngine(extendRegistry(extendRegistry(undefined, BUILTINS), extensions));
}

export const defaultEngine: ExpressionEngine = createExpressionEngine();

/**
 * Renders a template with the built-ins: a string, or the native value with `typed`. Asynchronous
 * because some filters load on first use (jq); `defaultEngine.render` is the synchronous form.
 */
export function renderTemplate(
  template: string,
  context: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<unknown> {
  return defaultEngine.renderAsync(template, context, options);
}

/** Kestra's truthiness (runIf, If, Fail, WaitFor): false for null, "", "false", "0" and "-0". */
export function isTruthy(rendered: unknown): boolean {
  if (rendered === null || rendered === undefined) return false;
  const text = typeof rendered === "string" ? rendered : String(rendered);
  return !(text === "" || text === "false" || text === "0" || text === "-0");
}
