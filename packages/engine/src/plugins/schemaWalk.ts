/**
 * Walks a zod property schema alongside a value. Zod 4 keeps each schema's definition in
 * `_zod.def`, plain data that reads the same whichever copy of zod built the schema, so plugins
 * bundling their own zod work too.
 */
import { propertyMeta, type PropertyMeta, type z } from "@saker/sdk";

export interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  catchall?: z.ZodType;
  defaultValue?: unknown;
  getter?: () => z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  format?: string;
}

export function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

const WRAPPERS = new Set([
  "optional",
  "nullable",
  "default",
  "prefault",
  "readonly",
  "catch",
  "nonoptional",
  "success",
]);

/** The unwrapped form of each schema object seen (coerce unwraps each property at each run). */
const unwrapped = new WeakMap<z.ZodType, z.ZodType>();

/** Strips optional/nullable/default…, follows lazy getters; a pipe resolves to its input side. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let found = unwrapped.get(schema);
  if (!found) unwrapped.set(schema, (found = unwrapOnce(schema)));
  return found;
}

function unwrapOnce(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === "lazy" && def.getter) current = def.getter();
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
  return current;
}

/** The metadata of each schema object seen: a schema is immutable, and its properties are read at every run. */
const metas = new WeakMap<z.ZodType, Readonly<PropertyMeta>>();

export function metaOf(schema: z.ZodType): Readonly<PropertyMeta> {
  let meta = metas.get(schema);
  if (!meta) metas.set(schema, (meta = Object.freeze(propertyMeta(schema))));
  return meta;
}

export interface FoundNode {
  kind: NonNullable<PropertyMeta["$pluginNode"]>;
  /** Path of the node below the walked value, e.g. `tasks[0].task`. */
  path: string;
  node: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** Collects the nested plugin nodes (tasks, conditions…) of `value`, guided by `schema`. */
export function collectPluginNodes(schema: z.ZodType, value: unknown, path = "", out: FoundNode[] = []): FoundNode[] {
  if (value === undefined || value === null) return out;
  const kind = metaOf(schema).$pluginNode;
  if (kind) {
    if (isObject(value)) out.push({ kind, path, node: value });
    return out;
  }
  const base = unwrap(schema);
  const def = defOf(base);
  switch (def.type) {
    case "object":
      if (isObject(value) && def.shape) {
        for (const [key, child] of Object.entries(def.shape))
          collectPluginNodes(child, value[key], join(path, key), out);
      }
      break;
    case "array":
      if (Array.isArray(value) && def.element)
        value.forEach((item, i) => collectPluginNodes(def.element!, item, join(path, i), out));
      break;
    case "record":
      if (isObject(value) && def.valueType) {
        for (const [key, item] of Object.entries(value)) collectPluginNodes(def.valueType, item, join(path, key), out);
      }
      break;
    case "union":
      for (const option of def.options ?? []) {
        const before = out.length;
        collectPluginNodes(option, value, path, out);
        if (out.length > before) break;
      }
      break;
    case "intersection":
      if (def.left) collectPluginNodes(def.left, value, path, out);
      if (def.right) collectPluginNodes(def.right, value, path, out);
      break;
    default:
      break;
  }
  return out;
}
