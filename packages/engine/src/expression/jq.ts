/**
 * jq through the real jq compiled to WebAssembly (the `jq-web` package), loaded on first use
 * (compiling the module costs a few hundred milliseconds, so it is not paid at start-up). Each call
 * runs the filter with compact output and returns every result, as a list.
 */
import { createRequire } from "node:module";
import { EvalError } from "./errors.ts";
import { toJson, parseJson } from "./json.ts";
import { isMap, JavaNumber } from "./values.ts";

export interface JqModule {
  raw(input: string, filter: string, flags?: string[]): string;
}

const require = createRequire(import.meta.url);
let jqModule: JqModule | undefined;
let loading: Promise<JqModule> | undefined;

/** Loads jq once; later calls return the same module. */
export function loadJq(): Promise<JqModule> {
  loading ??= (require("jq-web") as Promise<JqModule>).then((module) => (jqModule = module));
  return loading;
}

/** The loaded jq module, if it is loaded already. */
export function loadedJq(): JqModule | undefined {
  return jqModule;
}

/** Kestra parses a string input as JSON first. */
function inputJson(value: unknown): string {
  if (typeof value === "string") {
    try {
      parseJson(value);
      return value;
    } catch {
      throw new EvalError(`jq input is not JSON: '${value.length > 80 ? `${value.slice(0, 80)}…` : value}'`);
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

export function runJq(jq: JqModule, input: unknown, filter: string): unknown[] | null {
  if (input === null || input === undefined) return null;
  let output: string | undefined;
  try {
    output = jq.raw(inputJson(input), filter, ["-c"]);
  } catch (error) {
    const message = (error as Error).message.split("\n").filter((l) => l.startsWith("jq:")).join("; ") || (error as Error).message;
    throw new EvalError(`jq failed on '${filter}': ${message}`);
  }
  return (output ?? "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => javaTyped(parseJson(line)));
}
