/**
 * A JSONata expression compiled once per task run and evaluated per value, bounded: `maxDepth`
 * caps how deeply evaluation nests (what a runaway recursive function hits), and a long
 * evaluation gives the event loop back now and then, so the task's timeout or a kill stops it.
 */
import jsonata from "jsonata";
import { NonRetryableError } from "@saker/sdk";
import { badProperty, messageOf } from "./errors.ts";

/** How many evaluation steps run between two returns to the event loop. */
const STEPS_PER_YIELD = 10_000;

/** JSONata's error objects (plain objects, not Errors): a code such as `S0202`, and where. */
interface JsonataFailure {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

function describe(error: unknown): string {
  const failure = (error && typeof error === "object" ? error : {}) as JsonataFailure;
  const where = typeof failure.position === "number" && failure.position > 0 ? `, at position ${failure.position}` : "";
  const code = typeof failure.code === "string" ? ` (${failure.code}${where})` : "";
  return `${messageOf(error)}${code}`;
}

export interface CompiledExpression {
  /** Evaluates the expression on `input`; `label` names the input in an error (`record 3`). */
  evaluate(input: unknown, label?: string): Promise<unknown>;
}

/** Compiles `expression`; a syntax error fails the task naming the property. */
export function compileExpression(expression: string, maxDepth: number, signal: AbortSignal): CompiledExpression {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, { stack: maxDepth });
  } catch (error) {
    throw badProperty("expression", `is not a valid JSONata expression: ${describe(error)}`);
  }
  let steps = 0;
  const pause = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) throw signal.reason ?? new Error("stopped");
  };
  // Called before every evaluation step; returns a promise (which JSONata awaits) only to pause.
  const enter = () => (++steps % STEPS_PER_YIELD === 0 ? pause() : undefined);
  compiled.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, enter);
  return {
    async evaluate(input, label) {
      try {
        return plain(await compiled.evaluate(input));
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        const on = label ? ` on ${label}` : "";
        const code = (error as JsonataFailure | null)?.code;
        if (code === "D1011")
          throw new NonRetryableError(
            `the JSONata expression went deeper than maxDepth (${maxDepth}) nested evaluations${on}: check for a recursive function that never ends, or raise maxDepth`,
          );
        if (error instanceof RangeError)
          throw new NonRetryableError(
            `the JSONata expression recursed deeper than the worker's stack allows${on}: lower maxDepth or rewrite the recursion`,
          );
        throw new NonRetryableError(`the JSONata expression failed${on}: ${describe(error)}`);
      }
    },
  };
}

/**
 * A JSONata result as plain data: its sequences as arrays, its objects as plain objects, no
 * `undefined` (nothing is `null`, as Kestra gives it), and functions left out as JSON leaves them.
 */
export function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object") return typeof value === "function" ? null : value;
  if (Array.isArray(value)) return value.map((item) => (isFunction(item) ? null : plain(item)));
  if (isFunction(value)) return null;
  const entries = Object.entries(value).filter(([, item]) => item !== undefined && !isFunction(item));
  return Object.fromEntries(entries.map(([key, item]) => [key, plain(item)]));
}

function isFunction(value: unknown): boolean {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return v._jsonata_lambda === true || v._jsonata_function === true;
}
