/** Built-in functions: now, parsing (fromJson, fromIon, yaml), render, context, ids, numbers, ranges. */
import { randomBytes, randomInt } from "node:crypto";
import { DateTime } from "luxon";
import { parseYamlData } from "../../model/dataLimits.ts";
import { randomFriendlyId } from "../../model/ids.ts";
import { EvalError } from "../errors.ts";
import { describe, setKey } from "../evaluator.ts";
import type { CallArgs, CallContext } from "../registry.ts";
import { fromIonText } from "../ion.ts";
import { parseJson } from "../json.ts";
import type { FunctionDef } from "../registry.ts";
import { isFloating, isMap, isNumeric, jdouble, JavaNumber, num } from "../values.ts";
import { pebbleRange } from "../operators.ts";
import { formatDate } from "../dates/format.ts";
import { zoneOf } from "../dates/dateValue.ts";

export function fn(call: (args: CallArgs, ctx: CallContext) => unknown): FunctionDef {
  return { call };
}

const MAX_RENDER_PASSES = 100;

function renderDeep(value: unknown, ctx: CallContext, recursive: boolean): unknown {
  if (typeof value === "string") {
    let current = value;
    for (let pass = 0; ; pass++) {
      if (pass >= MAX_RENDER_PASSES) throw new EvalError("Too many rendering attempts");
      const next = ctx.render(current);
      if (!recursive || next === current || !next.includes("{")) return next;
      current = next;
    }
  }
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, ctx, recursive));
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      setKey(out, String(renderDeep(k, ctx, recursive)), renderDeep(v, ctx, recursive));
    return out;
  }
  return value;
}

/** YAML numbers as Java reads them: integers, or doubles. */
function javaNumbers(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? value : jdouble(value);
  if (Array.isArray(value)) return value.map(javaNumbers);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, javaNumbers(v)]));
  return value;
}

/**
 * Pebble's `max`/`min`: the first argument, replaced by each later one that compares greater
 * (less); a null is skipped once a value is held; no argument gives null. Only numbers compare.
 */
function extreme(args: CallArgs, op: ">" | "<"): unknown {
  let best: unknown = null;
  for (const candidate of args.positional) {
    if (best === null || best === undefined) best = candidate;
    else if (candidate !== null && candidate !== undefined) {
      if (!isNumeric(candidate) || !isNumeric(best))
        throw new EvalError(
          `${op === ">" ? "max" : "min"}() compares numbers only, got ${describe(isNumeric(best) ? candidate : best)}`,
        );
      if (op === ">" ? num(candidate) > num(best) : num(candidate) < num(best)) best = candidate;
    }
  }
  return best;
}

/** fromJson/json/fromIon: a string parsed, null for null, an error for anything else or no argument. */
function parseText(args: CallArgs, fnName: string, argName: string, parse: (text: string) => unknown): unknown {
  const value = requiredArg(args, argName, 0, fnName);
  if (value === null || value === undefined) return null;
  if (typeof value !== "string")
    throw new EvalError(
      `The '${fnName}' function expects an argument '${argName}' with type string, got ${describe(value)}`,
    );
  return parse(value);
}

function requiredArg(args: CallArgs, name: string, index: number, fnName: string): unknown {
  if (!args.has(name, index)) throw new EvalError(`${fnName}() needs the argument '${name}'`);
  return args.get(name, index);
}

const NANOID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A time-ordered UUID (version 7: 48 bits of Unix milliseconds, then random bits), as Kestra's uuid() gives. */
function uuidV7(): string {
  const bytes = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A KSUID: 4 bytes of seconds since 2014-05-13T16:53:20Z and 16 random bytes, as 27 base62 characters. */
function ksuid(): string {
  const bytes = Buffer.concat([Buffer.alloc(4), randomBytes(16)]);
  bytes.writeUInt32BE(Math.floor(Date.now() / 1000) - 1_400_000_000, 0);
  let value = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (value > 0n) {
    out = BASE62[Number(value % 62n)]! + out;
    value /= 62n;
  }
  return out.padStart(27, "0");
}

/**
 * Kestra's tasksWithState: the task runs of `tasks` (`{taskId: {state}}`, or `{taskId: {value:
 * {state}}}` under iterative tasks) in `state`, as `{state, value?, taskId}` maps (the key order
 * of Kestra's HashMap output).
 */
function tasksWithState(tasks: unknown, state: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  if (!isMap(tasks)) return found;
  const stateOf = (value: unknown): string | undefined =>
    isMap(value) && typeof value.state === "string" ? value.state.toUpperCase() : undefined;
  for (const [taskId, details] of Object.entries(tasks)) {
    if (!isMap(details)) continue;
    for (const [key, value] of Object.entries(details)) {
      if (key === "state" && typeof value === "string") {
        if (value.toUpperCase() === state) found.push({ state, taskId });
      } else if (stateOf(value) === state) {
        found.push({ state, value: key, taskId });
      }
    }
  }
  return found;
}

export const coreFunctions: Record<string, FunctionDef> = {
  now: fn((args) => {
    const timeZone = args.get("timeZone", 1);
    const zone = zoneOf(timeZone === undefined || timeZone === null ? undefined : String(timeZone));
    const dt = DateTime.now().setZone(zone.zone);
    const format = args.get("format", 0);
    const locale = args.get("locale", 2);
    return formatDate(
      { dt, nanos: dt.millisecond * 1e6, region: zone.region },
      format === undefined || format === null ? undefined : String(format),
      locale ? String(locale) : "en",
    );
  }),
  fromJson: fn((args) => parseText(args, "fromJson", "json", parseJson)),
  json: fn((args) => parseText(args, "fromJson", "json", parseJson)),
  fromIon: fn((args) => parseText(args, "fromIon", "ion", fromIonText)),
  yaml: fn((args) => {
    const value = requiredArg(args, "yaml", 0, "yaml");
    // Unlike fromJson, a null is refused too.
    if (typeof value !== "string")
      throw new EvalError(`The 'yaml' function expects an argument 'yaml' with type string, got ${describe(value)}`);
    try {
      return javaNumbers(parseYamlData(value, "yaml()"));
    } catch (error) {
      throw new EvalError(`Invalid YAML: ${(error as Error).message}`);
    }
  }),
  render: fn((args, ctx) => {
    const toRender = requiredArg(args, "toRender", 0, "render");
    const recursive = args.get("recursive", 1) ?? true;
    if (typeof recursive !== "boolean")
      throw new EvalError(
        `The 'render' function expects an optional argument 'recursive' with type boolean, got ${describe(recursive)}`,
      );
    return renderDeep(toRender, ctx, recursive);
  }),
  renderOnce: fn((args, ctx) => renderDeep(requiredArg(args, "toRender", 0, "renderOnce"), ctx, false)),
  printContext: fn((_args, ctx) => ctx.vars),
  fetchContext: fn((_args, ctx) => ctx.vars),
  uuid: fn(() => uuidV7()),
  ksuid: fn(() => ksuid()),
  nanoId: fn((args) => {
    const length = args.get("length", 0);
    const alphabet = args.get("alphabet", 1);
    // Kestra reads `length` only when it is an integer literal (a Long) and `alphabet` only when it is a string.
    let size = 21;
    if (typeof length === "number" && Number.isInteger(length)) {
      if (length > 1000) throw new EvalError("The 'nanoId()' function field 'length' must be lower than: 1000");
      if (length < 0) throw new EvalError("The 'nanoId()' function field 'length' must not be negative");
      size = length;
    }
    const chars = typeof alphabet === "string" && alphabet.length > 0 ? alphabet : NANOID_ALPHABET;
    const mask = chars.length - 1;
    return Array.from(randomBytes(size), (b) => chars[b & mask]).join("");
  }),
  tasksWithState: fn((args, ctx) => {
    if (!args.has("state", 0)) throw new EvalError("The 'tasksWithState' function expects an argument 'state'.");
    const wanted = args.get("state", 0);
    if (typeof wanted !== "string") throw new EvalError(`tasksWithState() needs a state name, got ${describe(wanted)}`);
    return tasksWithState(ctx.vars.tasks, wanted.toUpperCase());
  }),
  id: fn(() => randomFriendlyId()),
  randomInt: fn((args) => {
    const lower = requiredArg(args, "lower", 0, "randomInt");
    const upper = requiredArg(args, "upper", 1, "randomInt");
    // Kestra takes Longs only (integer literals, integer values), not doubles nor strings.
    for (const [name, value] of [
      ["lower", lower],
      ["upper", upper],
    ] as const) {
      if (!isNumeric(value) || isFloating(value))
        throw new EvalError(
          `The 'randomInt()' function expects an argument ${name} of type Long, got ${describe(value)}`,
        );
    }
    const low = num(lower as number);
    const high = num(upper as number);
    if (high < low) throw new EvalError("randomInt(): upper must not be lower than lower");
    return high === low ? low : randomInt(low, high);
  }),
  max: fn((args) => extreme(args, ">")),
  min: fn((args) => extreme(args, "<")),
  range: fn((args, ctx) =>
    pebbleRange(
      requiredArg(args, "start", 0, "range"),
      requiredArg(args, "end", 1, "range"),
      args.get("increment", 2),
      ctx.limits.maxRangeSize,
    ),
  ),
  block: fn((args, ctx) => ctx.renderBlock(String(requiredArg(args, "name", 0, "block")))),
  parentOutput: fn((args, ctx) => {
    // The outputs of the enclosing task run: the nearest (`parent`), or the index-th from the outermost.
    let entry: unknown = ctx.vars.parent;
    if (args.has("index", 0)) {
      const index = args.get("index", 0);
      if (!isNumeric(index) || isFloating(index))
        throw new EvalError("The 'parentOutput' function expects an argument 'index' of type integer.");
      const parents = Array.isArray(ctx.vars.parents) ? [...(ctx.vars.parents as unknown[])].reverse() : [];
      if (num(index) < 0 || num(index) + 1 > parents.length)
        throw new EvalError(`Invalid index: ${num(index)} for parents size: ${parents.length}`);
      entry = parents[num(index)];
    }
    return isMap(entry) && isMap(entry.outputs) ? entry.outputs : null;
  }),
  currentEachOutput: fn((args, ctx) => {
    if (!args.has("outputs", 0)) throw new EvalError("The 'currentEachOutput' function expects an argument 'outputs'.");
    let current = args.get("outputs", 0);
    if (!isMap(current))
      throw new EvalError(
        `The 'currentEachOutput' function expects an argument 'outputs' with type map, got ${describe(current)}`,
      );
    // Down the values of the enclosing iterative tasks (outermost first), then the task run's own value.
    const parents = Array.isArray(ctx.vars.parents) ? [...(ctx.vars.parents as unknown[])].reverse() : [];
    for (const parent of parents) {
      const taskrun = isMap(parent) ? parent.taskrun : undefined;
      if (!isMap(taskrun)) continue;
      if (!isMap(current))
        throw new EvalError(
          `currentEachOutput(): no outputs for the value ${describe(taskrun.value)} of an enclosing task`,
        );
      current = current[String(taskrun.value)] ?? null;
    }
    if (!isMap(current)) throw new EvalError("currentEachOutput(): no outputs for the values of the enclosing tasks");
    const own = isMap(ctx.vars.taskrun) ? ctx.vars.taskrun.value : undefined;
    return own === undefined || own === null ? null : (current[String(own)] ?? null);
  }),
};

export { JavaNumber };
