import { describe, expect, it } from "vitest";
import { coreRegistry } from "../runtime/registryLoader.ts";
import { typeDocumentation } from "./docs.ts";

const registry = coreRegistry();
const doc = (type: string) => typeDocumentation(registry.resolve(type), []);

describe("type documentation", () => {
  it("documents the Kestra 1.x core types with their properties and outputs", () => {
    for (const type of [
      "execution.Assert",
      "execution.Exit",
      "execution.SetVariables",
      "execution.UnsetVariables",
      "kv.PurgeKV",
      "kv.Put",
      "metric.Publish",
      "namespace.PurgeFiles",
      "flow.PurgeFlows",
      "http.SseRequest",
    ]) {
      const text = doc(`io.kestra.plugin.core.${type}`);
      expect(text).toContain(`\`type: io.kestra.plugin.core.${type}\``);
      expect(text).toContain("## Properties");
    }
    expect(doc("io.kestra.plugin.core.kv.PurgeKV")).toContain("| `size` | number | The number of purged KV pairs. |");
  });

  it("names the members of a union told apart by their type", () => {
    expect(doc("io.kestra.plugin.core.kv.PurgeKV")).toContain(
      "| `behavior` | object (type: key) \\\\| object (type: version) |",
    );
    expect(doc("io.kestra.plugin.core.metric.Publish")).toContain(
      "list of object (type: counter) \\\\| object (type: timer)",
    );
  });
});
