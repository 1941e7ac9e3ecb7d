import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defineTask, z } from "@saker/sdk";
import { PluginRegistry } from "./registry.ts";
import { checkPluginVersion, findVersionPins, readDefaultVersions, specPins, writeDefaultVersion } from "./versions.ts";

const task = (type: string) => defineTask({ type, title: type, properties: z.object({}), run: () => ({}) });

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  for (const version of ["1.0.0", "1.5.0", "2.0.0"])
    r.addType({ name: "saker-plugin-x", version, core: false }, task("io.x.Which"));
  r.addType({ name: "saker-plugin-y", version: "1.0.0", core: false }, task("io.y.Other"));
  return r;
}

describe("plugin versions", () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-versions-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps each plugin's default version in defaults.json, and ignores an unreadable file", () => {
    expect(readDefaultVersions(dir)).toEqual({});
    writeDefaultVersion(dir, "saker-plugin-x", "1.5.0");
    expect(writeDefaultVersion(dir, "saker-plugin-y", "1.0.0")).toEqual({
      "saker-plugin-x": "1.5.0",
      "saker-plugin-y": "1.0.0",
    });
    expect(writeDefaultVersion(dir, "saker-plugin-y", undefined)).toEqual({ "saker-plugin-x": "1.5.0" });
    expect(JSON.parse(readFileSync(join(dir, "defaults.json"), "utf8"))).toEqual({ "saker-plugin-x": "1.5.0" });
    writeFileSync(join(dir, "defaults.json"), "{not json");
    expect(readDefaultVersions(dir)).toEqual({});
  });

  it("resolves a type without version: to its plugin's default, then the instance policy", () => {
    const r = registry();
    expect(r.resolve("io.x.Which").plugin.version).toBe("2.0.0");
    const before = r.version;
    expect(r.setPluginDefaults({ "saker-plugin-x": "1.5.0" })).toBe(true);
    expect(r.version).toBeGreaterThan(before);
    expect(r.setPluginDefaults({ "saker-plugin-x": "1.5.0" })).toBe(false);
    expect(r.resolve("io.x.Which").plugin.version).toBe("1.5.0");
    // an explicit version: still wins
    expect(r.resolve("io.x.Which", "2.0.0").plugin.version).toBe("2.0.0");
    // a default that is not installed falls back to the policy
    r.setPluginDefaults({ "saker-plugin-x": "9.0.0" });
    r.defaultVersion = "OLDEST";
    expect(r.resolve("io.x.Which").plugin.version).toBe("1.0.0");
    expect(r.pluginVersions("saker-plugin-x")).toEqual(["1.0.0", "1.5.0", "2.0.0"]);
    expect(r.pluginTypes("saker-plugin-y", "1.0.0")).toEqual(["io.y.Other"]);
  });

  it("checks a version to make the default", () => {
    const r = registry();
    expect(() => checkPluginVersion(r, "saker-plugin-x", "1.5.0")).not.toThrow();
    expect(() => checkPluginVersion(r, "nope", "1.0.0")).toThrow(expect.objectContaining({ code: "PLUGIN_NOT_FOUND" }));
    expect(() => checkPluginVersion(r, "saker-plugin-x", "3.0.0")).toThrow(
      expect.objectContaining({
        code: "PLUGIN_VERSION_NOT_FOUND",
        message: expect.stringContaining("1.0.0, 1.5.0, 2.0.0"),
      }),
    );
  });

  it("says a spec pins a version when no other installed version meets it", () => {
    const installed = ["1.0.0", "1.5.0", "2.0.0"];
    expect(specPins("2.0.0", "2.0.0", installed)).toBe(true);
    expect(specPins("^2", "2.0.0", installed)).toBe(true);
    expect(specPins("^1", "1.5.0", installed)).toBe(false);
    expect(specPins("~1.5", "1.5.0", installed)).toBe(true);
    expect(specPins("LATEST", "2.0.0", installed)).toBe(false);
    expect(specPins("1.0.0", "2.0.0", installed)).toBe(false);
  });

  it("finds the flows that pin a version, in nested tasks and plugin defaults", () => {
    const r = registry();
    const flows = [
      {
        namespace: "a",
        id: "nested",
        source:
          'id: nested\nnamespace: a\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n      - id: w\n        type: io.x.Which\n        version: "2.0.0"\n',
      },
      {
        namespace: "a",
        id: "defaults",
        source:
          'id: defaults\nnamespace: a\ntasks: []\npluginDefaults:\n  - type: io.x.Which\n    values:\n      version: "^2"\n',
      },
      { namespace: "a", id: "loose", source: "id: loose\nnamespace: a\ntasks:\n  - id: w\n    type: io.x.Which\n" },
      {
        namespace: "a",
        id: "other",
        source: 'id: other\nnamespace: a\ntasks:\n  - id: w\n    type: io.y.Other\n    version: "1.0.0"\n',
      },
      { namespace: "a", id: "broken", source: "id: [broken" },
    ];
    expect(findVersionPins(flows, r, "saker-plugin-x", "2.0.0")).toEqual([
      { namespace: "a", flowId: "nested", path: "tasks[0].tasks[0]", type: "io.x.Which", spec: "2.0.0" },
      { namespace: "a", flowId: "defaults", path: "pluginDefaults[0]", type: "io.x.Which", spec: "^2" },
    ]);
    expect(findVersionPins(flows, r, "saker-plugin-x", "1.0.0")).toEqual([]);
  });
});
