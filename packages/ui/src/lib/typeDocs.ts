/**
 * A plugin type's docs as the type page (pages/PluginTypePage) shows them: the rows of its properties and outputs from
 * its JSON Schema, and the parts of its generated Markdown (title, description, examples).
 */

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  $dynamic?: boolean;
  $pluginNode?: string;
  [key: string]: unknown;
}

/** A readable type: `string`, `list of integer`, `map of string`, `duration`, `a | b`. */
export function typeName(schema: SchemaNode): string {
  if (schema.$pluginNode) return String(schema.$pluginNode);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return typeof schema.enum[0] === "number" ? "number" : "string";
  if (schema.format === "duration") return "duration";
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return [...new Set(union.map(typeName))].join(" | ");
  if (schema.type === "array") return `list of ${typeName(schema.items ?? {})}`;
  if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object")
    return `map of ${typeName(schema.additionalProperties)}`;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  return schema.type ?? "any";
}

/** The allowed values of a property (its enum, or the enums of a union). */
function enumOf(schema: SchemaNode): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  const union = schema.anyOf ?? schema.oneOf;
  if (!union) return undefined;
  const values = union.flatMap((u) => (Array.isArray(u.enum) ? u.enum : u.const !== undefined ? [u.const] : []));
  return values.length ? values : undefined;
}

export interface PropertyRow {
  name: string;
  type: string;
  required: boolean;
  /** The default as JSON, or undefined. */
  default?: string;
  enum?: string[];
  description: string;
  /** Rendered with expressions (`{{ … }}`) before the task runs. */
  dynamic: boolean;
}

/**
 * One row per property of an object schema, required ones first (then by name); `type` (the
 * type id constant) is left out. `dynamicByDefault` for task/trigger properties.
 */
export function propertyRows(schema: SchemaNode | undefined, dynamicByDefault = true): PropertyRow[] {
  const properties = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  const rows = Object.entries(properties)
    .filter(([name]) => name !== "type")
    .map(([name, p]) => {
      const values = enumOf(p);
      return {
        name,
        type: typeName(p),
        required: required.has(name),
        ...(p.default !== undefined ? { default: JSON.stringify(p.default) } : {}),
        ...(values ? { enum: values.map((v) => String(v)) } : {}),
        description: p.description ?? "",
        dynamic: dynamicByDefault && p.$dynamic !== false && !p.$pluginNode,
      };
    });
  return rows.sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name));
}

export interface DocParts {
  title: string;
  /** The line under the title: plugin, version, kind. */
  plugin: string;
  /** Markdown between that line and the properties. */
  description: string;
  /** Markdown of the examples section (its `###` titles and YAML blocks), "" when none. */
  examples: string;
  /** The note under the properties table (the common task properties), "" when none. */
  propertiesNote: string;
}

/** Splits the Markdown of `GET /plugins/{type}` into its parts. */
export function splitDoc(markdown: string): DocParts {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const titleIndex = lines.findIndex((l) => /^# /.test(l));
  const title = titleIndex >= 0 ? lines[titleIndex]!.slice(2).trim() : "";
  const sectionAt = (name: string) => lines.findIndex((l) => l.trim() === `## ${name}`);
  const properties = sectionAt("Properties");
  const examples = sectionAt("Examples");
  const head = lines.slice(titleIndex + 1, properties >= 0 ? properties : examples >= 0 ? examples : lines.length);
  const pluginIndex = head.findIndex((l) => l.startsWith("Plugin: "));
  const plugin = pluginIndex >= 0 ? head[pluginIndex]!.slice("Plugin: ".length) : "";
  const description = head
    .filter((l, i) => i !== pluginIndex && !/^`type: [^`]+`$/.test(l.trim()))
    .join("\n")
    .trim();
  let exampleText = "";
  if (examples >= 0) {
    const end = lines.findIndex((l, i) => i > examples && /^## /.test(l));
    exampleText = lines
      .slice(examples + 1, end >= 0 ? end : lines.length)
      .join("\n")
      .trim();
  }
  let propertiesNote = "";
  if (properties >= 0) {
    const end = lines.findIndex((l, i) => i > properties && /^## /.test(l));
    propertiesNote = lines
      .slice(properties + 1, end >= 0 ? end : lines.length)
      .filter((l) => l.trim() && !l.trim().startsWith("|") && l.trim() !== "None.")
      .join("\n")
      .trim();
  }
  return { title, plugin, description, examples: exampleText, propertiesNote };
}
