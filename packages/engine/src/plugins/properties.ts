/**
 * From a task node in the flow to the typed properties `run` receives: dynamic properties are
 * rendered, rendered strings are converted to the declared types (`"5"` → 5, `"[1,2]"` → a list,
 * as Kestra's `Property<T>` does), then the schema validates and applies defaults.
 */
import { isSakerError, SakerError, type z } from "@saker/sdk";
import { isDataLimitError, parseJsonData } from "../model/dataLimits.ts";
import { defOf, metaOf, unwrap } from "./schemaWalk.ts";

/** Properties every task has, handled by the engine rather than the plugin. */
export const COMMON_TASK_KEYS: ReadonlySet<string> = new Set([
  "id",
  "type",
  "version",
  "description",
  "retry",
  "timeout",
  "disabled",
  "workerGroup",
  "logLevel",
  "logToFile",
  "allowFailure",
  "allowWarning",
  "runIf",
  "taskCache",
  "assets",
]);

/** Properties every trigger has. */
export const COMMON_TRIGGER_KEYS: ReadonlySet<string> = new Set([
  "id",
  "type",
  "version",
  "description",
  "conditions",
  "disabled",
  "workerGroup",
  "logLevel",
  "logToFile",
  "labels",
  "stopAfter",
  "inputs",
  "interval",
]);

function parseJsonLike(text: string, opening: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith(opening)) return text;
  try {
    return parseJsonData(trimmed, "the rendered property");
  } catch (error) {
    if (isDataLimitError(error)) throw error;
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Converts a rendered value toward what `schema` expects; leaves it as is when unsure. */
export function coerce(schema: z.ZodType, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const base = unwrap(schema);
  const def = defOf(base);
  switch (def.type) {
    case "string":
      return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint"
        ? String(value)
        : value;
    case "number":
    case "int":
    case "bigint": {
      if (typeof value !== "string" || value.trim() === "") return value;
      const n = Number(value.trim());
      return Number.isNaN(n) ? value : n;
    }
    case "boolean":
      if (typeof value === "string" && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase() === "true";
      return value;
    case "enum":
      return typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : value;
    case "array": {
      const list = typeof value === "string" ? parseJsonLike(value, "[") : value;
      return Array.isArray(list) && def.element ? list.map((item) => coerce(def.element!, item)) : list;
    }
    case "object": {
      const object = typeof value === "string" ? parseJsonLike(value, "{") : value;
      if (!isObject(object) || !def.shape) return object;
      const result: Record<string, unknown> = { ...object };
      for (const [key, child] of Object.entries(def.shape)) if (key in result) result[key] = coerce(child, result[key]);
      return result;
    }
    case "record": {
      const record = typeof value === "string" ? parseJsonLike(value, "{") : value;
      if (!isObject(record) || !def.valueType) return record;
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, coerce(def.valueType!, v)]));
    }
    case "union": {
      for (const option of def.options ?? []) {
        const candidate = coerce(option, value);
        if (option.safeParse(candidate).success) return candidate;
      }
      return value;
    }
    default:
      return value;
  }
}

/** `tasks[0].retry` style path from zod's issue path. */
export function issuePath(base: string, path: readonly PropertyKey[]): string {
  let text = base;
  for (const part of path)
    text = typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part);
  return text;
}

/** A readable zod issue: `must be one of TRACE, DEBUG (got 'LOUD')`. */
export function describeIssue(issue: z.core.$ZodIssue, value?: unknown): string {
  const got = value === undefined ? "" : ` (got ${JSON.stringify(value)?.slice(0, 80)})`;
  switch (issue.code) {
    case "invalid_value":
      return `must be one of ${issue.values.map(String).join(", ")}${got}`;
    case "invalid_type":
      return value === undefined ? "is required" : `must be ${article(issue.expected)}${got}`;
    case "unrecognized_keys":
      return `unknown propert${issue.keys.length > 1 ? "ies" : "y"} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
    case "too_small":
      return issue.origin === "array"
        ? `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`
        : `must be ≥ ${issue.minimum}${got}`;
    case "too_big":
      return `must be ≤ ${issue.maximum}${got}`;
    default:
      return `${issue.message}${got}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * A value a render gives back as it is: a scalar, or text without `{` (no tag can start). Maps
 * and lists are always rendered (into copies: the flow's own objects never reach a task).
 */
function isConstant(raw: unknown): boolean {
  return (
    raw === null ||
    raw === undefined ||
    typeof raw === "number" ||
    typeof raw === "boolean" ||
    (typeof raw === "string" && !raw.includes("{"))
  );
}

/** Renders one property; an expression error names the property. */
async function renderProperty(
  key: string,
  raw: unknown,
  render: (value: unknown) => Promise<unknown>,
): Promise<unknown> {
  try {
    return await render(raw);
  } catch (error) {
    throw isSakerError(error) && error.code.startsWith("EXPRESSION_") ? error.withLocation({ path: key }) : error;
  }
}

/**
 * Renders a node's dynamic properties with `render` (which renders every string inside a value),
 * converts and validates them against `schema`. Throws a SakerError naming each bad property.
 */
export async function renderProperties<S extends z.ZodObject>(
  schema: S,
  node: Record<string, unknown>,
  render: (value: unknown) => Promise<unknown>,
  commonKeys: ReadonlySet<string> = COMMON_TASK_KEYS,
): Promise<z.output<S>> {
  const shape = (defOf(schema).shape ?? {}) as Record<string, z.ZodType>;
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(node)) {
    if (commonKeys.has(key) && !(key in shape)) continue;
    const property = shape[key];
    const dynamic = property ? metaOf(property).$dynamic !== false : true;
    const rendered = dynamic && !isConstant(raw) ? await renderProperty(key, raw, render) : raw;
    values[key] = property ? coerce(property, rendered) : rendered;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map(
    (issue) => `property '${issuePath("", issue.path)}' ${describeIssue(issue, valueAt(values, issue.path))}`,
  );
  throw new SakerError("PROPERTY_INVALID", messages.join("; "), { details: { issues: parsed.error.issues } });
}
