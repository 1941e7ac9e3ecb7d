/**
 * What to offer while typing a flow, from the flow JSON Schema (`GET /plugins/schemas/flow`):
 * `type:` ids of the block's kind (task, trigger, condition) with their titles, the properties of
 * the block's type (required ones first, with their descriptions), and a property's enum values.
 */
import type { MappingInfo, PathSegment, YamlContext } from "./yamlContext.ts";

export type JsonSchema = { [key: string]: unknown };

export type PluginKind = "task" | "trigger" | "condition";

export interface TypeEntry {
  type: string;
  kind: PluginKind;
  title?: string;
  description?: string;
  deprecated?: boolean;
}

export interface CompletionItem {
  label: string;
  /** Shown beside the label (a title, "required", a type). */
  detail?: string;
  /** Shown in the side box (a description). */
  info?: string;
  /** For the icon: type, property, enum, variable, function, filter. */
  kind: "type" | "property" | "enum" | "variable" | "function" | "filter";
  /** The text inserted, when not the label. */
  apply?: string;
  /** Higher first. */
  boost?: number;
}

export interface CompletionResult {
  from: number;
  options: CompletionItem[];
}

export interface SchemaIndex {
  root: JsonSchema;
  definitions: Record<string, JsonSchema>;
  types: TypeEntry[];
  byType: Map<string, TypeEntry>;
}

/** The kinds a flow's input (and output) may have. */
export const INPUT_TYPES = [
  "STRING",
  "INT",
  "FLOAT",
  "BOOLEAN",
  "SELECT",
  "MULTISELECT",
  "ENUM",
  "DATETIME",
  "DATE",
  "TIME",
  "DURATION",
  "FILE",
  "JSON",
  "YAML",
  "URI",
  "EMAIL",
  "SECRET",
  "ARRAY",
  "BOOL",
  "FORM",
];

const KINDS: PluginKind[] = ["task", "trigger", "condition"];

function obj(value: unknown): JsonSchema | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

function refName(schema: JsonSchema | undefined): string | undefined {
  const ref = schema?.$ref;
  return typeof ref === "string" && ref.startsWith("#/definitions/") ? ref.slice("#/definitions/".length) : undefined;
}

function constType(schema: JsonSchema | undefined): string | undefined {
  const c = obj(obj(schema?.properties)?.type)?.const;
  return typeof c === "string" ? c : undefined;
}

export function indexFlowSchema(schema: JsonSchema): SchemaIndex {
  const definitions = (obj(schema.definitions) ?? {}) as Record<string, JsonSchema>;
  const types: TypeEntry[] = [];
  const byType = new Map<string, TypeEntry>();
  for (const kind of KINDS) {
    const union = definitions[kind];
    const branches = Array.isArray(union?.anyOf) ? (union.anyOf as JsonSchema[]) : [];
    for (const branch of branches) {
      const def = definitions[refName(branch) ?? ""];
      const type = constType(def);
      if (!def || !type || byType.has(type)) continue;
      const entry: TypeEntry = { type, kind };
      if (typeof def.title === "string") entry.title = def.title;
      if (typeof def.description === "string") entry.description = def.description;
      if (def.$deprecated === true) entry.deprecated = true;
      types.push(entry);
      byType.set(type, entry);
    }
  }
  return { root: schema, definitions, types, byType };
}

interface Node {
  schema: JsonSchema;
  /** The plugin kind when the node is a union of plugin types (`#/definitions/task`…). */
  kind?: PluginKind;
}

/** The branches of a node: `$ref`s followed, `anyOf`/`oneOf`/`allOf` flattened. */
function branches(index: SchemaIndex, schema: JsonSchema, kind?: PluginKind, depth = 0): Node[] {
  if (depth > 20) return [];
  const ref = refName(schema);
  if (ref) {
    const target = index.definitions[ref];
    if (!target) return [];
    return branches(index, target, (KINDS as string[]).includes(ref) ? (ref as PluginKind) : kind, depth + 1);
  }
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) return union.flatMap((b) => branches(index, b, kind, depth + 1));
  return [{ schema, ...(kind ? { kind } : {}) }];
}

function isArrayNode(s: JsonSchema): boolean {
  return s.type === "array" || obj(s.items) !== undefined;
}

function isObjectNode(s: JsonSchema): boolean {
  return obj(s.properties) !== undefined || obj(s.additionalProperties) !== undefined;
}

/** The object schema of a mapping: the branch whose `type` const is the mapping's type when there is one. */
export interface ResolvedObject {
  properties: Record<string, JsonSchema>;
  required: string[];
  /** A union of plugin types (the mapping has no known `type` yet, or its type is the one chosen). */
  kind?: PluginKind;
  /** The mapping's values are free (a map), not named properties. */
  additional?: JsonSchema;
}

function resolveObject(index: SchemaIndex, schema: JsonSchema, type: string | undefined): ResolvedObject | undefined {
  const nodes = branches(index, schema).filter((n) => isObjectNode(n.schema));
  if (nodes.length === 0) return undefined;
  const kind = nodes.find((n) => n.kind)?.kind;
  let chosen = type ? nodes.filter((n) => constType(n.schema) === type) : [];
  if (chosen.length === 0) chosen = nodes.length === 1 ? nodes : [];
  if (chosen.length === 1) {
    const s = chosen[0]!.schema;
    const props = (obj(s.properties) ?? {}) as Record<string, JsonSchema>;
    const out: ResolvedObject = {
      properties: props,
      required: Array.isArray(s.required) ? (s.required as string[]) : [],
      ...(kind ? { kind } : {}),
    };
    const additional = obj(s.additionalProperties);
    if (additional && Object.keys(props).length === 0) out.additional = additional;
    return out;
  }
  // No type yet: the properties every branch has (id, type… for plugins).
  const all = nodes.map((n) => (obj(n.schema.properties) ?? {}) as Record<string, JsonSchema>);
  const properties: Record<string, JsonSchema> = {};
  for (const [name, prop] of Object.entries(all[0]!)) if (all.every((p) => name in p)) properties[name] = prop;
  const required = nodes
    .map((n) => (Array.isArray(n.schema.required) ? (n.schema.required as string[]) : []))
    .reduce((a, b) => a.filter((x) => b.includes(x)));
  return { properties, required, ...(kind ? { kind } : {}) };
}

/** Steps from a schema down one path segment. */
function step(index: SchemaIndex, schema: JsonSchema, segment: PathSegment, type: string | undefined) {
  if (typeof segment === "number") {
    const node = branches(index, schema).find((n) => isArrayNode(n.schema));
    const items = node ? obj(node.schema.items) : undefined;
    return items;
  }
  const object = resolveObject(index, schema, type);
  if (!object) return undefined;
  return object.properties[segment] ?? object.additional;
}

export interface SchemaAt {
  /** The schema of the mapping the cursor is in. */
  object?: ResolvedObject;
  /** The schema of that mapping before resolving its type (to find the union's kind). */
  raw?: JsonSchema;
}

/** The schema of the mapping at the end of `chain` (each mapping's `type` picks its branch). */
export function schemaAt(index: SchemaIndex, chain: readonly MappingInfo[]): SchemaAt {
  let schema: JsonSchema | undefined = index.root;
  let depth = 0;
  const typeAt = new Map<string, string>();
  for (const m of chain) if (m.keys.type) typeAt.set(JSON.stringify(m.path), m.keys.type);
  const path = chain.length ? chain[chain.length - 1]!.path : [];
  for (const segment of path) {
    if (!schema) return {};
    const here = path.slice(0, depth);
    schema = step(index, schema, segment, typeAt.get(JSON.stringify(here)));
    depth++;
  }
  if (!schema) return {};
  const object = resolveObject(index, schema, typeAt.get(JSON.stringify(path)));
  return { ...(object ? { object } : {}), raw: schema };
}

function typeName(schema: JsonSchema | undefined, index: SchemaIndex): string | undefined {
  if (!schema) return undefined;
  const kinds = new Set<string>();
  for (const n of branches(index, schema)) {
    if (n.kind) kinds.add(n.kind);
    else if (typeof n.schema.type === "string") kinds.add(n.schema.type);
    else if (Array.isArray(n.schema.type)) for (const t of n.schema.type) kinds.add(String(t));
    else if (Array.isArray(n.schema.enum)) kinds.add("enum");
    else if (n.schema.const !== undefined) kinds.add("const");
  }
  // "string" of an expression accepted everywhere does not say much
  if (kinds.size > 1) kinds.delete("string");
  return [...kinds].join(" | ") || undefined;
}

function describe(schema: JsonSchema | undefined, index: SchemaIndex): string | undefined {
  if (!schema) return undefined;
  if (typeof schema.description === "string" && schema.description !== "An expression rendered at run time")
    return schema.description;
  for (const n of branches(index, schema)) {
    const d = n.schema.description;
    if (typeof d === "string" && d !== "An expression rendered at run time") return d;
  }
  return undefined;
}

/** The enum values (and consts, booleans) a property accepts, with its default first. */
export function enumValues(index: SchemaIndex, schema: JsonSchema | undefined): { values: string[]; default?: string } {
  if (!schema) return { values: [] };
  const values = new Set<string>();
  let fallback: string | undefined;
  const visit = (s: JsonSchema) => {
    if (s.default !== undefined && fallback === undefined && typeof s.default !== "object")
      fallback = String(s.default);
    for (const n of branches(index, s)) {
      const b = n.schema;
      if (b.default !== undefined && fallback === undefined && typeof b.default !== "object")
        fallback = String(b.default);
      if (Array.isArray(b.enum)) for (const v of b.enum) values.add(String(v));
      if (b.const !== undefined && typeof b.const !== "object") values.add(String(b.const));
      if (b.type === "boolean") {
        values.add("true");
        values.add("false");
      }
    }
  };
  visit(schema);
  return { values: [...values], ...(fallback !== undefined ? { default: fallback } : {}) };
}

/** The plugin kind expected at `type:` of the mapping the cursor is in, if it is a plugin block. */
function pluginKindAt(index: SchemaIndex, at: SchemaAt): PluginKind | undefined {
  if (at.object?.kind) return at.object.kind;
  if (!at.raw) return undefined;
  return branches(index, at.raw).find((n) => n.kind)?.kind;
}

function isInputPath(path: readonly PathSegment[]): boolean {
  return (
    (path.length === 2 && (path[0] === "inputs" || path[0] === "outputs") && typeof path[1] === "number") ||
    (path.length >= 4 &&
      path[path.length - 2] === "inputs" &&
      typeof path[path.length - 1] === "number" &&
      path[0] === "inputs")
  );
}

/** What to offer for a YAML context (undefined: nothing from the schema). */
export function schemaCompletions(index: SchemaIndex, context: YamlContext): CompletionResult | undefined {
  if (context.kind === "scalar") return undefined;
  const at = schemaAt(index, context.chain);
  if (context.kind === "value") {
    if (context.key === "type") {
      if (isInputPath(context.path))
        return {
          from: context.from,
          options: INPUT_TYPES.map((t) => ({ label: t, kind: "enum" as const, detail: "input type" })),
        };
      const kind = pluginKindAt(index, at);
      if (kind) {
        return {
          from: context.from,
          options: index.types
            .filter((t) => t.kind === kind)
            .map((t) => ({
              label: t.type,
              kind: "type" as const,
              ...(t.title ? { detail: t.title } : {}),
              ...(t.description ? { info: t.description } : {}),
              boost: t.deprecated ? -10 : t.type.includes("$") ? -5 : 0,
            })),
        };
      }
    }
    const property = at.object?.properties[context.key ?? ""];
    const { values, default: fallback } = enumValues(index, property);
    if (values.length === 0) return undefined;
    return {
      from: context.from,
      options: values.map((v) => ({
        label: v,
        kind: "enum" as const,
        ...(v === fallback ? { detail: "default", boost: 1 } : {}),
      })),
    };
  }
  const object = at.object;
  if (!object) return undefined;
  const taken = new Set(Object.keys(context.chain.length ? context.chain[context.chain.length - 1]!.keys : {}));
  const required = new Set(object.required);
  const options: CompletionItem[] = [];
  for (const [name, prop] of Object.entries(object.properties)) {
    if (taken.has(name)) continue;
    const desc = describe(prop, index);
    const deprecated = /^deprecated/i.test(desc ?? "") || prop.$deprecated === true;
    const isRequired = required.has(name);
    const type = name === "type" && object.kind ? `${object.kind} type` : typeName(prop, index);
    options.push({
      label: name,
      kind: "property",
      apply: `${name}: `,
      detail: [isRequired ? "required" : undefined, type].filter(Boolean).join(" · "),
      ...(desc ? { info: desc } : {}),
      boost: name === "type" || name === "id" ? 30 : isRequired ? 20 : deprecated ? -20 : 0,
    });
  }
  options.sort((a, b) => (b.boost ?? 0) - (a.boost ?? 0));
  return { from: context.from, options };
}
