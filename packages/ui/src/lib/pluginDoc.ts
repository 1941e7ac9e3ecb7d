/**
 * A type's documentation (`GET /plugins/{type}`: Markdown and JSON Schema) as the editor's docs
 * panel shows it: title, description, a row per property and per output, and the examples.
 */
import type { JsonSchema } from "./schemaCompletion.ts";

export interface PluginDocAnswer {
  markdown: string;
  schema: { properties?: JsonSchema; outputs?: JsonSchema };
}

export interface DocRow {
  name: string;
  type: string;
  required: boolean;
  default?: string;
  description?: string;
}

export interface PluginDoc {
  title: string;
  description: string;
  properties: DocRow[];
  outputs: DocRow[];
  examples: { title: string; code: string }[];
}

function obj(v: unknown): JsonSchema | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as JsonSchema) : undefined;
}

/** A short type of a property schema: `string`, `integer | string`, `TRACE | DEBUG`, `list of string`… */
export function typeLabel(schema: JsonSchema | undefined, depth = 0): string {
  if (!schema || depth > 4) return "any";
  if (Array.isArray(schema.enum)) return schema.enum.map(String).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) {
    const parts = union
      .filter((b) => !(b.type === "string" && typeof b.pattern === "string" && b.pattern.includes("\\{\\{")))
      .map((b) => typeLabel(b, depth + 1));
    return [...new Set(parts)].join(" | ") || "string";
  }
  if (schema.type === "array") return `list of ${typeLabel(obj(schema.items), depth + 1)}`;
  if (typeof schema.$ref === "string") return schema.$ref.split("/").pop()!;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (typeof schema.type === "string") return schema.format ? `${schema.type} (${String(schema.format)})` : schema.type;
  return "any";
}

function description(schema: JsonSchema): string | undefined {
  if (typeof schema.description === "string") return schema.description;
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  for (const b of union ?? [])
    if (typeof b.description === "string" && !String(b.pattern ?? "").includes("\\{\\{")) return b.description;
  return undefined;
}

function rows(schema: JsonSchema | undefined, skip: readonly string[] = []): DocRow[] {
  const props = obj(schema?.properties) ?? {};
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(props)
    .filter(([name]) => !skip.includes(name))
    .map(([name, p]) => {
      const s = obj(p) ?? {};
      const row: DocRow = { name, type: typeLabel(s), required: required.has(name) };
      if (s.default !== undefined) row.default = JSON.stringify(s.default);
      const d = description(s);
      if (d) row.description = d;
      return row;
    })
    .sort((a, b) => Number(b.required) - Number(a.required));
}

/** The sections of a type's documentation. */
export function pluginDoc(answer: PluginDocAnswer): PluginDoc {
  const md = answer.markdown ?? "";
  const title = /^#\s+(.+)$/m.exec(md)?.[1]?.trim() ?? "";
  // the description: the paragraphs after the "Plugin: …" line, up to the first section
  const lines = md.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Plugin: "));
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  const description = lines
    .slice(start + 1, end === -1 ? undefined : end)
    .join("\n")
    .trim();
  const examples: PluginDoc["examples"] = [];
  const exampleAt = md.indexOf("## Examples");
  if (exampleAt !== -1) {
    const re = /(?:###\s+(.+)\n+)?```ya?ml\n([\s\S]*?)```/g;
    for (const m of md.slice(exampleAt).matchAll(re))
      examples.push({ title: m[1]?.trim() ?? "", code: m[2]!.trimEnd() });
  }
  return {
    title,
    description,
    properties: rows(answer.schema?.properties, ["type"]),
    outputs: rows(answer.schema?.outputs),
    examples,
  };
}
