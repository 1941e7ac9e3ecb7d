/**
 * The JSON Schema of the flow language, generated from the flow schema and every registered
 * plugin type (draft-07, for editors' YAML language servers). Dynamic properties also accept an
 * expression string; nested tasks, triggers and conditions refer to the type definitions.
 */
import { z } from "@saker/sdk";
import type { PluginRegistry, RegisteredType } from "../plugins/registry.ts";
import { COMMON_TASK_SHAPE, COMMON_TRIGGER_SHAPE, FlowSchema } from "../model/flowSchema.ts";

type Json = Record<string, unknown>;

const EXPRESSION: Json = {
  type: "string",
  pattern: ".*\\{\\{.*\\}\\}.*",
  description: "An expression rendered at run time",
};
const TYPED = new Set(["number", "integer", "boolean", "array", "object"]);

function toJson(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-7", unrepresentable: "any" }) as Json;
  delete json.$schema;
  return json;
}

/**
 * Replaces plugin-node markers by references and lets dynamic typed values be expressions. A
 * type's own object (`root`) stays an object: wrapped in an `anyOf`, its `properties` would be out
 * of editors' reach and every property flagged.
 */
function postProcess(node: unknown, dynamic: boolean, root = false): unknown {
  if (Array.isArray(node)) return node.map((n) => postProcess(n, dynamic));
  if (!node || typeof node !== "object") return node;
  const json = node as Json;
  const kind = json.$pluginNode;
  if (typeof kind === "string") return { $ref: `#/definitions/${kind === "taskRunner" ? "task" : kind}` };
  const isDynamic = dynamic && json.$dynamic !== false;
  const out: Json = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === "$pluginNode") continue;
    out[key] =
      key === "properties" && value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, postProcess(v, isDynamic)]))
        : postProcess(value, isDynamic);
  }
  if (!root && isDynamic && typeof out.type === "string" && TYPED.has(out.type)) return { anyOf: [out, EXPRESSION] };
  return out;
}

function typeSchema(entry: RegisteredType, versions: readonly string[]): Json {
  const definition = entry.definition;
  const common =
    entry.nodeKind === "task"
      ? COMMON_TASK_SHAPE
      : entry.nodeKind === "trigger"
        ? COMMON_TRIGGER_SHAPE
        : { type: z.string(), version: z.string().optional() };
  const json = postProcess(
    toJson(z.object({ ...common, ...(definition.properties.shape as z.ZodRawShape) })),
    true,
    true,
  ) as Json;
  // As Kestra's generator does: `type` is a constant, which editors use to pick the definition.
  const properties = (json.properties ?? {}) as Json;
  properties.type = { const: entry.type };
  if (versions.length > 1 || !entry.plugin.core)
    properties.version = {
      type: "string",
      examples: [...versions, "LATEST", "OLDEST"],
      description: "The plugin version (exact or semver range)",
    };
  return {
    ...json,
    title: definition.title,
    ...(definition.description
      ? { description: definition.description, markdownDescription: definition.description }
      : {}),
    properties,
    additionalProperties: false,
    ...(definition.deprecated ? { $deprecated: true } : {}),
  };
}

export function flowJsonSchema(registry: PluginRegistry): Json {
  const definitions: Json = {};
  const byKind: Record<string, Json[]> = { task: [], trigger: [], condition: [] };
  for (const [type, versions] of registry.entries()) {
    const latest = versions[versions.length - 1]!;
    const id = type.replace(/[^a-zA-Z0-9.]/g, "_");
    definitions[id] = typeSchema(
      latest,
      versions.map((v) => v.plugin.version),
    );
    byKind[latest.nodeKind]!.push({ $ref: `#/definitions/${id}` });
  }
  definitions.task = { anyOf: byKind.task, description: "A task" };
  definitions.trigger = { anyOf: byKind.trigger, description: "A trigger" };
  definitions.condition = { anyOf: byKind.condition, description: "A condition" };
  const flow = postProcess(toJson(FlowSchema), false) as Json;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Saker flow",
    ...flow,
    additionalProperties: false,
    definitions,
  };
}
