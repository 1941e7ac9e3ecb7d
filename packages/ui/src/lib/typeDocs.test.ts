import { describe, expect, it } from "vitest";
import { propertyRows, splitDoc, typeName } from "./typeDocs.ts";

describe("plugin docs", () => {
  it("names types from JSON Schema", () => {
    expect(typeName({ type: "string" })).toBe("string");
    expect(typeName({ type: "array", items: { type: "integer" } })).toBe("list of integer");
    expect(typeName({ type: "object", additionalProperties: { type: "string" } })).toBe("map of string");
    expect(typeName({ type: "string", format: "duration" })).toBe("duration");
    expect(typeName({ anyOf: [{ type: "string" }, { type: "number" }, { type: "string" }] })).toBe("string | number");
    expect(typeName({ $pluginNode: "task" })).toBe("task");
    expect(typeName({})).toBe("any");
  });

  it("gives one row per property, required first, without `type`, with defaults, enums and dynamic", () => {
    const rows = propertyRows({
      type: "object",
      required: ["message"],
      properties: {
        type: { const: "io.kestra.plugin.core.log.Log" },
        level: { type: "string", enum: ["INFO", "WARN"], default: "INFO", description: "The level." },
        message: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
        tasks: { $pluginNode: "task", type: "array" },
        literal: { type: "string", $dynamic: false },
      },
    });
    expect(rows).toEqual([
      { name: "message", type: "string | list of string", required: true, description: "", dynamic: true },
      {
        name: "level",
        type: "string",
        required: false,
        default: '"INFO"',
        enum: ["INFO", "WARN"],
        description: "The level.",
        dynamic: true,
      },
      { name: "literal", type: "string", required: false, description: "", dynamic: false },
      { name: "tasks", type: "task", required: false, description: "", dynamic: false },
    ]);
    expect(propertyRows({ properties: { uri: { type: "string" } } }, false)[0]!.dynamic).toBe(false);
    expect(propertyRows(undefined)).toEqual([]);
  });

  it("splits the generated Markdown into title, plugin line, description and examples", () => {
    const parts = splitDoc(
      [
        "# Log a message",
        "",
        "`type: io.kestra.plugin.core.log.Log`",
        "",
        "Plugin: core · version 0.1.0 · kind: task",
        "",
        "Writes a **message** to the logs.",
        "",
        "## Properties",
        "",
        "| Property | Type |",
        "",
        "Every task also takes the common properties: `retry`.",
        "",
        "## Outputs",
        "",
        "None.",
        "",
        "## Examples",
        "",
        "### Hello",
        "",
        "```yaml",
        "id: hello",
        "```",
        "",
      ].join("\n"),
    );
    expect(parts).toEqual({
      title: "Log a message",
      plugin: "core · version 0.1.0 · kind: task",
      description: "Writes a **message** to the logs.",
      examples: "### Hello\n\n```yaml\nid: hello\n```",
      propertiesNote: "Every task also takes the common properties: `retry`.",
    });
    expect(splitDoc("# T\n\nPlugin: p\n").examples).toBe("");
  });
});
