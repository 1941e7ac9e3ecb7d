/** The core plugin value: each list holds only its kind, and it registers as one plugin. */
import { describe, expect, it } from "vitest";
import { PluginRegistry } from "../plugins/registry.ts";
import { corePlugin } from "./index.ts";

const CORE_TYPES = [...corePlugin.tasks, ...corePlugin.triggers, ...corePlugin.conditions];

describe("corePlugin", () => {
  it("lists tasks, triggers and conditions each under its own kind, every type once", () => {
    expect(new Set(corePlugin.tasks.map((t) => t.kind))).toEqual(new Set(["task", "flowable", "executor"]));
    expect(new Set(corePlugin.triggers.map((t) => t.kind))).toEqual(new Set(["trigger"]));
    expect(new Set(corePlugin.conditions.map((t) => t.kind))).toEqual(new Set(["condition"]));
    const types = CORE_TYPES.map((t) => t.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toContain("io.kestra.plugin.core.flow.Sequential");
    expect(types).toContain("io.kestra.plugin.core.trigger.Toggle");
  });

  it("registers every core type through addPlugin, as a third-party plugin does", () => {
    const registry = new PluginRegistry();
    registry.addPlugin({ name: "core", version: "0.1.0", core: true }, corePlugin);
    for (const type of CORE_TYPES) expect(registry.resolve(type.type).definition).toBe(type);
  });
});
