/** The flow JSON Schema editors load: each type's definition is an object naming its type as a constant. */
import { describe, expect, it } from "vitest";
import { coreRegistry } from "../runtime/registryLoader.ts";
import { flowJsonSchema } from "./jsonSchema.ts";

type Json = Record<string, any>;

describe("flowJsonSchema", () => {
  const schema = flowJsonSchema(coreRegistry()) as Json;
  const typeDefinitions = Object.entries(schema.definitions as Json).filter(
    ([key]) => !["task", "trigger", "condition"].includes(key),
  );

  it("gives every type's definition its properties, with `type` as a constant", () => {
    expect(typeDefinitions.length).toBeGreaterThan(50);
    for (const [key, definition] of typeDefinitions) {
      expect(definition.anyOf, key).toBeUndefined();
      expect(definition.type, key).toBe("object");
      expect(definition.properties.type, key).toEqual({ const: expect.any(String) });
      expect(definition.properties.id ?? definition.properties.type, key).toBeDefined();
    }
    const log = schema.definitions["io.kestra.plugin.core.log.Log"];
    expect(Object.keys(log.properties)).toEqual(
      expect.arrayContaining(["id", "type", "message", "level", "retry", "allowFailure"]),
    );
    expect(log.properties.type).toEqual({ const: "io.kestra.plugin.core.log.Log" });
    expect(log.additionalProperties).toBe(false);
    const ifTask = schema.definitions["io.kestra.plugin.core.flow.If"];
    expect(ifTask.properties.then).toMatchObject({ type: "array", items: { $ref: "#/definitions/task" } });
  });

  it("still lets a typed property be an expression", () => {
    const parallel = schema.definitions["io.kestra.plugin.core.flow.Parallel"];
    expect(parallel.properties.concurrent.anyOf).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "integer" }),
        expect.objectContaining({ pattern: ".*\\{\\{.*\\}\\}.*" }),
      ]),
    );
  });
});
