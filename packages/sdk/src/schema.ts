/**
 * Property schema helpers. A plugin declares its properties with zod (re-exported here as `z`);
 * the engine derives runtime validation, the TypeScript type of the rendered properties, the JSON
 * Schema for editors and the docs from that one schema.
 *
 * Properties are **dynamic** by default, as in Kestra: a property may hold a `{{ expression }}`
 * string wherever a number, boolean, list or map is expected. The engine renders it and converts
 * the result to the declared type before `run` sees it. Mark a property with {@link raw} when the
 * task renders it itself (a condition evaluated per item, a template body).
 *
 * @module
 */
import { z } from "zod";
import { isDuration, parseDuration } from "./duration.ts";

export { z };

/** Metadata keys Saker reads from property schemas. They also appear in the generated JSON Schema. */
export interface PropertyMeta {
  /** `false`: the engine passes the raw YAML value, unrendered. Default `true`. */
  $dynamic?: boolean;
  /** The value is a nested plugin node (a task, a condition, a trigger), validated against its own type. */
  $pluginNode?: "task" | "condition" | "trigger" | "taskRunner";
  /** The value is an ISO-8601 duration converted to milliseconds. */
  format?: string;
  [key: string]: unknown;
}

/** Keeps a property out of the engine's rendering: the task receives the YAML value as written. */
export function raw<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...(schema.meta() ?? {}), $dynamic: false }) as T;
}

/**
 * An ISO-8601 duration (`PT30S`, `PT5M`, `P1D`), delivered to `run` in **milliseconds**.
 * Give defaults with `.prefault("PT1S")` (the ISO text) rather than `.default()`.
 */
export function duration() {
  return z
    .string()
    .refine(isDuration, { message: "must be an ISO-8601 duration such as PT30S, PT5M or P1D" })
    .transform((text) => parseDuration(text))
    .meta({ format: "duration" });
}

function pluginNode(kind: NonNullable<PropertyMeta["$pluginNode"]>) {
  return z
    .looseObject({ type: z.string().describe("The plugin type, e.g. io.kestra.plugin.core.log.Log.") })
    .meta({ $pluginNode: kind, $dynamic: false });
}

/** One nested task (as in `Dag`'s `task:`); the engine validates it against its own type. */
export function task() {
  return pluginNode("task");
}

/** A list of nested tasks (as in `Sequential`'s `tasks:`). */
export function tasks() {
  return z.array(task()).meta({ $dynamic: false });
}

/** One nested condition. */
export function condition() {
  return pluginNode("condition");
}

/** A list of nested conditions. */
export function conditions() {
  return z.array(condition()).meta({ $dynamic: false });
}

/** Any JSON-like value: kept as written, rendered recursively (keys included) when dynamic. */
export function anyValue() {
  return z.unknown();
}

/** A map from string keys to `value`, as Kestra's `Map<String, T>` properties. */
export function map<T extends z.ZodType>(value: T) {
  return z.record(z.string(), value);
}

interface WrapperDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

/**
 * Reads a schema's Saker metadata, looking through `optional`, `default`, `nullable` and similar
 * wrappers (zod attaches metadata to the innermost schema `.meta()` was called on).
 */
export function propertyMeta(schema: z.ZodType): PropertyMeta {
  let current: z.ZodType | undefined = schema;
  const merged: PropertyMeta = {};
  for (let depth = 0; current && depth < 20; depth++) {
    Object.assign(merged, { ...(current.meta() ?? {}), ...merged });
    const def: WrapperDef = (current as unknown as { _zod: { def: WrapperDef } })._zod.def;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else break;
  }
  return merged;
}
