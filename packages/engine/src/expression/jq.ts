/**
 * jq through the real jq compiled to WebAssembly (the `jq-web` package), run in a worker thread
 * under a time and memory budget (see `jqThreads.ts`). Each call runs the filter with compact
 * output and returns every result, as a list.
 */
import { EvalError } from "./errors.ts";
import { runInThread, JqFailure } from "./jqThreads.ts";
import { toJson, parseJson } from "./json.ts";
import { isMap, JavaNumber } from "./values.ts";
import { shown } from "../model/shown.ts";

/** Kestra parses a string input as JSON first. */
export function jqInput(value: unknown): string {
  if (typeof value === "string") {
    try {
      parseJson(value);
      return value;
    } catch {
      throw new EvalError(`jq input is not JSON: '${shown(value)}'`);
    }
  }
  return toJson(value, false);
}

/** Integers from jq are Java Integers (Jackson's IntNode), or Longs. */
function javaTyped(value: unknown): unknown {
  if (typeof value === "number" || value instanceof JavaNumber) return value;
  if (Array.isArray(value)) return value.map(javaTyped);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, javaTyped(v)]));
  return value;
}

export interface JqBudget {
  timeoutMs: number;
  memoryMb: number;
  signal?: AbortSignal | undefined;
}

/** Runs `filter` on the JSON text `input`; a jq error becomes an `EvalError`, a spent budget a `JqBudgetError`. */
export async function runJq(input: string, filter: string, budget: JqBudget): Promise<unknown[]> {
  let output: string;
  try {
    output = await runInThread({ input, filter, ...budget });
  } catch (error) {
    if (!(error instanceof JqFailure)) throw error;
    const message =
      error.message
        .split("\n")
        .filter((l) => l.startsWith("jq:"))
        .join("; ") || error.message;
    throw new EvalError(`jq failed on '${filter}': ${message}`);
  }
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => javaTyped(parseJson(line)));
}
