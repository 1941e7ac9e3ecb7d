/**
 * Static validation of a YAML value against a property schema, reporting every problem with its
 * path. Where a property is dynamic, a string holding `{{ … }}` stands for any type (it is
 * checked again after rendering). Nested plugin nodes are handed to `onPluginNode`.
 */
import type { z } from "@saker/sdk";
import { coerce, describeIssue, issuePath } from "./properties.ts";
import { defOf, metaOf, unwrap, type FoundNode } from "./schemaWalk.ts";

export interface ValidationIssue {
  /** Path segments from the flow root. */
  path: (string | number)[];
  message: string;
}

export interface ValidateOptions {
  /** Called for each nested task/condition/trigger instead of validating it here. */
  onPluginNode(found: Omit<FoundNode, "path"> & { path: (string | number)[] }): void;
  /** Object keys accepted besides the schema's (the common task properties). */
  extraKeys?: ReadonlySet<string>;
  /** Reject keys the schema does not know (JSON Schema's additionalProperties: false). */
  strict?: boolean;
}

export function isExpression(value: unknown): boolean {
  return typeof value === "string" && /\{\{|\{%/.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Check {
  _zod: { def: { check: string; minimum?: number; maximum?: number } };
}

function lengthChecks(schema: z.ZodType): { min?: number; max?: number } {
  const checks = ((defOf(schema) as unknown as { checks?: Check[] }).checks ?? []).map((c) => c._zod.def);
  const min = checks.find((c) => c.check === "min_length")?.minimum;
  const max = checks.find((c) => c.check === "max_length")?.maximum;
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/** Whether a missing key is fine: optional, defaulted, or any-valued (zod accepts a missing `unknown`). */
function isOptional(schema: z.ZodType): boolean {
  let current: z.ZodType = schema;
  for (let i = 0; i < 16; i++) {
    const def = defOf(current);
    if (
      def.type === "optional" ||
      def.type === "default" ||
      def.type === "prefault" ||
      def.type === "unknown" ||
      def.type === "any"
    )
      return true;
    if (def.innerType) current = def.innerType;
    else return false;
  }
  return false;
}

/** Validates `value` against `schema`; appends problems to `issues`. */
export function validateValue(
  schema: z.ZodType,
  value: unknown,
  path: (string | number)[],
  issues: ValidationIssue[],
  options: ValidateOptions,
  dynamic = true,
): void {
  const meta = metaOf(schema);
  const isDynamic = dynamic && meta.$dynamic !== false;
  if (value === undefined) return;
  if (meta.$pluginNode) {
    if (!isObject(value)) issues.push({ path, message: `must be a ${meta.$pluginNode} (a map with a 'type')` });
    else options.onPluginNode({ kind: meta.$pluginNode, node: value, path });
    return;
  }
  if (isDynamic && isExpression(value)) return;
  const base = unwrap(schema);
  const def = defOf(base);
  if (value === null) {
    // An optional property written with no value (`defaults:`) is absent, as Jackson reads it.
    if (!isOptional(schema) && defOf(schema).type !== "nullable" && def.type !== "null")
      issues.push({ path, message: "must not be null" });
    return;
  }
  switch (def.type) {
    case "object": {
      if (!isObject(value)) {
        issues.push({ path, message: `must be a map${got(value)}` });
        return;
      }
      const shape = def.shape ?? {};
      for (const [key, child] of Object.entries(shape)) {
        if (value[key] === undefined && !isOptional(child))
          issues.push({ path: [...path, key], message: "is required" });
        else validateValue(child, value[key], [...path, key], issues, { ...options, extraKeys: undefined }, isDynamic);
      }
      const looseObject = def.catchall !== undefined && defOf(def.catchall).type !== "never";
      if (options.strict !== false && !looseObject) {
        for (const key of Object.keys(value)) {
          if (!(key in shape) && !options.extraKeys?.has(key))
            issues.push({ path: [...path, key], message: `unknown property '${key}'` });
        }
      }
      return;
    }
    case "array": {
      if (!Array.isArray(value)) {
        issues.push({ path, message: `must be a list${got(value)}` });
        return;
      }
      const { min, max } = lengthChecks(base);
      if (min !== undefined && value.length < min)
        issues.push({ path, message: `must have at least ${min} item${min === 1 ? "" : "s"}` });
      if (max !== undefined && value.length > max) issues.push({ path, message: `must have at most ${max} items` });
      value.forEach((item, i) =>
        validateValue(def.element!, item, [...path, i], issues, { ...options, extraKeys: undefined }, isDynamic),
      );
      return;
    }
    case "record": {
      if (!isObject(value)) {
        issues.push({ path, message: `must be a map${got(value)}` });
        return;
      }
      for (const [key, item] of Object.entries(value))
        validateValue(def.valueType!, item, [...path, key], issues, { ...options, extraKeys: undefined }, isDynamic);
      return;
    }
    case "union": {
      let best: ValidationIssue[] | undefined;
      for (const option of def.options ?? []) {
        const attempt: ValidationIssue[] = [];
        const found: Parameters<ValidateOptions["onPluginNode"]>[0][] = [];
        validateValue(option, value, path, attempt, { ...options, onPluginNode: (f) => found.push(f) }, isDynamic);
        if (attempt.length === 0) {
          for (const f of found) options.onPluginNode(f);
          return;
        }
        if (!best || attempt.length < best.length) best = attempt;
      }
      issues.push(...(best ?? [{ path, message: "matches none of the accepted forms" }]));
      return;
    }
    case "discriminatedUnion":
    case "intersection":
    default: {
      const result = base.safeParse(coerce(base, value));
      if (!result.success) {
        for (const issue of result.error.issues)
          issues.push({
            path: [...path, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))],
            message: describeIssue(issue, valueAtIssue(value, issue.path)),
          });
      }
    }
  }
}

function valueAtIssue(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const part of path)
    current = current && typeof current === "object" ? (current as Record<PropertyKey, unknown>)[part] : undefined;
  return current;
}

function got(value: unknown): string {
  return ` (got ${Array.isArray(value) ? "a list" : typeof value === "object" ? "a map" : JSON.stringify(value)})`;
}

/** `tasks[2].retry` from path segments. */
export function formatPath(path: readonly (string | number)[]): string {
  return issuePath("", path);
}
