import { describe, expect, it } from "vitest";
import { pluginDoc, typeLabel } from "./pluginDoc.ts";

const MARKDOWN = `# Log a message

\`type: io.kestra.plugin.core.log.Log\`

Plugin: core · version 0.1.0 · kind: task

Writes one message to the execution's logs.

## Properties

| Property | Type |
|---|---|

## Examples

### Log a greeting

\`\`\`yaml
id: hello
type: io.kestra.plugin.core.log.Log
message: Hello {{ inputs.name }}
\`\`\`
`;

describe("pluginDoc", () => {
  it("reads the title, description, properties (required first), outputs and examples", () => {
    const doc = pluginDoc({
      markdown: MARKDOWN,
      schema: {
        properties: {
          type: "object",
          properties: {
            level: { default: "INFO", description: "The log level.", type: "string", enum: ["INFO", "WARN"] },
            message: {
              anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }],
              description: "The message.",
            },
            type: { const: "io.kestra.plugin.core.log.Log" },
          },
          required: ["message"],
        },
        outputs: { type: "object", properties: { value: { type: "string" } } },
      },
    });
    expect(doc.title).toBe("Log a message");
    expect(doc.description).toBe("Writes one message to the execution's logs.");
    expect(doc.properties).toEqual([
      { name: "message", type: "string | list of string", required: true, description: "The message." },
      { name: "level", type: "INFO | WARN", required: false, default: '"INFO"', description: "The log level." },
    ]);
    expect(doc.outputs).toEqual([{ name: "value", type: "string", required: false }]);
    expect(doc.examples).toEqual([
      {
        title: "Log a greeting",
        code: "id: hello\ntype: io.kestra.plugin.core.log.Log\nmessage: Hello {{ inputs.name }}",
      },
    ]);
  });

  it("leaves the expression alternative out of a type", () => {
    expect(typeLabel({ anyOf: [{ type: "integer" }, { type: "string", pattern: ".*\\{\\{.*\\}\\}.*" }] })).toBe(
      "integer",
    );
    expect(typeLabel({ type: "string", format: "duration" })).toBe("string (duration)");
  });
});
