/**
 * A plugin type's documentation in Markdown, generated from its definition: title, description,
 * properties (type, default, required, dynamic), outputs and examples.
 */
import { z } from "@saker/sdk";
import { COMMON_TASK_SHAPE } from "../model/flowSchema.ts";
import type { RegisteredType } from "./registry.ts";

type Json = Record<string, unknown>;

function jsonOf(schema: z.ZodType, io: "input" | "output"): Json {
  try {
    return z.toJSONSchema(schema, { io, target: "draft-7", unrepresentable: "any" }) as Json;
  } catch {
    return {};
  }
}

function typeName(schema: Json): string {
  if (schema.$pluginNode) return String(schema.$pluginNode);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.format === "duration") return "duration";
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(typeName).join(" \\| ");
  if (Array.isArray(schema.oneOf)) return (schema.oneOf as Json[]).map(typeName).join(" \\| ");
  // a member of a union told apart by its `type` (e.g. a purge behaviour): `{type: key}`
  const discriminator = ((schema.properties ?? {}) as Record<string, Json>).type?.const;
  if (schema.type === "object" && discriminator !== undefined) return `object (type: ${String(discriminator)})`;
  if (schema.type === "array") return `list of ${typeName((schema.items ?? {}) as Json)}`;
  if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object")
    return `map of ${typeName(schema.additionalProperties as Json)}`;
  return typeof schema.type === "string" ? schema.type : "any";
}

function cell(text: unknown): string {
  return String(text ?? "")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ");
}

function propertyTable(schema: Json, dynamicByDefault: boolean): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(([name, p]) => {
    const dynamic = dynamicByDefault && p.$dynamic !== false && !p.$pluginNode;
    return `| \`${name}\` | ${cell(typeName(p))} | ${p.default === undefined ? "" : `\`${cell(JSON.stringify(p.default))}\``} | ${required.has(name) ? "yes" : ""} | ${dynamic ? "yes" : ""} | ${cell(p.description)} |`;
  });
  return rows.length
    ? ["| Property | Type | Default | Required | Dynamic | Description |", "|---|---|---|---|---|---|", ...rows]
    : ["None."];
}

export function typeDocumentation(entry: RegisteredType, versions: readonly string[]): string {
  const d = entry.definition;
  const lines = [`# ${d.title}`, "", `\`type: ${entry.type}\``, ""];
  lines.push(
    `Plugin: ${entry.plugin.core ? "core" : entry.plugin.name} · version ${entry.plugin.version}${entry.plugin.bundled ? " (bundled)" : ""}${versions.length > 1 ? ` (installed: ${versions.join(", ")})` : ""} · kind: ${entry.nodeKind}${entry.isolated ? " · runs isolated" : ""}`,
  );
  if (d.deprecated) lines.push("", "**Deprecated.**");
  if (d.aliases?.length) lines.push("", `Also accepted as: ${d.aliases.map((a) => `\`${a}\``).join(", ")}`);
  if (d.description) lines.push("", d.description);
  lines.push("", "## Properties", "", ...propertyTable(jsonOf(d.properties, "input"), true));
  if (entry.nodeKind === "task") {
    lines.push(
      "",
      "Every task also takes the common properties: " +
        Object.keys(COMMON_TASK_SHAPE)
          .filter((k) => k !== "id" && k !== "type")
          .map((k) => `\`${k}\``)
          .join(", ") +
        ".",
    );
  }
  const outputs = "outputs" in d ? d.outputs : undefined;
  if (outputs) {
    const json = jsonOf(outputs, "output");
    const props = (json.properties ?? {}) as Record<string, Json>;
    lines.push("", "## Outputs", "");
    lines.push(
      ...(Object.keys(props).length
        ? [
            "| Output | Type | Description |",
            "|---|---|---|",
            ...Object.entries(props).map(([n, p]) => `| \`${n}\` | ${cell(typeName(p))} | ${cell(p.description)} |`),
          ]
        : ["None."]),
    );
  }
  if (d.examples?.length) {
    lines.push("", "## Examples");
    for (const example of d.examples)
      lines.push("", `### ${example.title}`, "", "```yaml", example.code.trimEnd(), "```");
  }
  return `${lines.join("\n")}\n`;
}
